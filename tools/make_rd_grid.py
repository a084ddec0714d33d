#!/usr/bin/env python3
"""Build data/rdtrans2018.gsb: NSGI's RDNAPTRANS(TM)2018 variant-2 correction grid as NTv2.

Source
    rdtrans2018.txt, NSGI's variant-2 grid as text (default path:
    /work/shared/data-external/rdnaptrans2018/rdtrans2018.txt). A header line, then one node per
    line, tab-separated: `RD_lat RD_lon lat_corr lon_corr`, all in degrees. The nodes cover
    50..56 N and 2..8 E in steps of 0.0125 deg (lat) and 0.02 deg (lon): 481 rows x 301 columns,
    rows from south to north, each row from west to east. Each correction is ETRS89 minus Bessel
    (Amersfoort), indexed by the Bessel (RD) latitude and longitude.

Licence
    NSGI grid data, Creative Commons Attribution 4.0 (CC BY 4.0). Credit: NSGI (Nederlandse
    Samenwerking Geodetische Infrastructuur). The same content is PROJ-data's
    nl_nsgi_rdtrans2018.tif.

What it writes
    An NTv2 file (little-endian, GS_TYPE SECONDS, one sub-grid) that PROJ reads for
    `+proj=hgridshift`. Forward hgridshift adds the shift, so the grid goes from Bessel to ETRS89
    and ETRS89 -> RD uses `+inv +proj=hgridshift`. NTv2 conventions, as PROJ's reader
    (src/grids.cpp, NTv2GridSet::open and NTv2Grid::valueAt) expects them:
      - header values in arc-seconds; longitudes positive WEST, so E_LONG = -8 * 3600 and
        W_LONG = -2 * 3600;
      - node records from south to north, and within a row from EAST to WEST;
      - each record is four float32: latitude shift, longitude shift (arc-seconds, positive
        west, so the value written is -lon_corr * 3600), latitude and longitude accuracy (unknown,
        written as 0; PROJ ignores them);
      - 16-byte header records: an 8-byte ASCII key, then an int32 + 4 zero bytes, a float64, or
        8 ASCII bytes; the file ends with an "END" record.
    The output is deterministic: no dates or host data go into it (CREATED/UPDATED are blank).
    data/ is also the FanoutData target, so SwiftPM bundles this very file as a resource (no
    second copy to keep in step); the Geo module reads it from the DataDirectory its caller gives
    (the bundle, a directory, or FANOUT_DATA_DIR for the fanout command).

How to run
    python3 tools/make_rd_grid.py                 # from anywhere
    python3 tools/make_rd_grid.py --source PATH --out PATH
    It prints the sha256 of input and output; record both in data/LICENSES.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SOURCE = "/work/shared/data-external/rdnaptrans2018/rdtrans2018.txt"
DEFAULT_OUT = os.path.join(ROOT, "data", "rdtrans2018.gsb")
EXPECTED_SOURCE_SHA256 = "a5673248f242fc09e01546e94a1638c869ee3ca900ca5ca0d3befa56f9f2e172"

# Grid geometry, in units of 0.0001 degree so that node positions compare exactly.
LAT_SOUTH, LAT_NORTH, LAT_STEP = 500000, 560000, 125  # 50.0000 .. 56.0000 by 0.0125
LON_WEST, LON_EAST, LON_STEP = 20000, 80000, 200  # 2.0000 .. 8.0000 by 0.0200
ROWS = (LAT_NORTH - LAT_SOUTH) // LAT_STEP + 1  # 481
COLS = (LON_EAST - LON_WEST) // LON_STEP + 1  # 301

BESSEL_A = 6377397.155
BESSEL_INV_F = 299.1528128
GRS80_A = 6378137.0
GRS80_INV_F = 298.257222101


def fail(message: str) -> None:
    sys.exit(f"make_rd_grid: {message}")


def ten_thousandths(text: str, what: str, line: int) -> int:
    """Parses a node coordinate with at most 4 decimals into an exact integer of 1e-4 degrees."""
    s = text.strip()
    sign = -1 if s.startswith("-") else 1
    s = s.lstrip("+-")
    whole, _, frac = s.partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > 4:
        fail(f"line {line}: {what} {text!r} is not a node coordinate with at most 4 decimals")
    return sign * (int(whole) * 10000 + int(frac.ljust(4, "0") or "0"))


def read_grid(path: str) -> list[list[tuple[float, float]]]:
    """Reads the text grid into rows[south..north][west..east] of (lat_corr, lon_corr) degrees."""
    grid: list[list[tuple[float, float] | None]] = [[None] * COLS for _ in range(ROWS)]
    with open(path, "r", encoding="ascii", newline=None) as f:
        header = f.readline().split()
        if [h.split("_(")[0] for h in header] != ["RD_lat", "RD_lon", "lat_corr", "lon_corr"]:
            fail(f"{path}: unexpected header {header}")
        count = 0
        for number, raw in enumerate(f, start=2):
            fields = raw.split()
            if not fields:
                continue
            if len(fields) != 4:
                fail(f"{path}:{number}: expected 4 fields, found {len(fields)}")
            lat = ten_thousandths(fields[0], "RD_lat", number)
            lon = ten_thousandths(fields[1], "RD_lon", number)
            if (lat - LAT_SOUTH) % LAT_STEP or (lon - LON_WEST) % LON_STEP:
                fail(f"{path}:{number}: {fields[0]} {fields[1]} is not a grid node")
            row, col = (lat - LAT_SOUTH) // LAT_STEP, (lon - LON_WEST) // LON_STEP
            if not (0 <= row < ROWS and 0 <= col < COLS):
                fail(f"{path}:{number}: {fields[0]} {fields[1]} is outside 50..56 N, 2..8 E")
            if grid[row][col] is not None:
                fail(f"{path}:{number}: node {fields[0]} {fields[1]} appears twice")
            try:
                corr = (float(fields[2]), float(fields[3]))
            except ValueError:
                fail(f"{path}:{number}: corrections {fields[2]} {fields[3]} are not numbers")
            if not all(abs(c) < 0.01 for c in corr):
                fail(f"{path}:{number}: correction {corr} is implausibly large (> 0.01 degree)")
            grid[row][col] = corr
            count += 1
    if count != ROWS * COLS:
        fail(f"{path}: {count} nodes, expected {ROWS} x {COLS} = {ROWS * COLS}")
    return grid  # every cell is set: count matches and duplicates were refused


def record(key: str, value: bytes) -> bytes:
    assert len(key) <= 8 and len(value) == 8
    return key.ljust(8).encode("ascii") + value


def text8(s: str) -> bytes:
    assert len(s) <= 8
    return s.ljust(8).encode("ascii")


def int8(n: int) -> bytes:
    return struct.pack("<i", n) + b"\0\0\0\0"


def double8(x: float) -> bytes:
    return struct.pack("<d", x)


def ntv2_bytes(grid: list[list[tuple[float, float]]]) -> bytes:
    overview = [
        record("NUM_OREC", int8(11)),
        record("NUM_SREC", int8(11)),
        record("NUM_FILE", int8(1)),
        record("GS_TYPE", text8("SECONDS")),
        record("VERSION", text8("NTv2.0")),
        record("SYSTEM_F", text8("AMERSFRT")),
        record("SYSTEM_T", text8("ETRS89")),
        record("MAJOR_F", double8(BESSEL_A)),
        record("MINOR_F", double8(BESSEL_A * (1 - 1 / BESSEL_INV_F))),
        record("MAJOR_T", double8(GRS80_A)),
        record("MINOR_T", double8(GRS80_A * (1 - 1 / GRS80_INV_F))),
    ]
    seconds = lambda tenk: tenk * 3600 / 10000  # exact for these values (multiples of 0.36")
    subgrid = [
        record("SUB_NAME", text8("RDTR2018")),
        record("PARENT", text8("NONE")),
        record("CREATED", text8("")),
        record("UPDATED", text8("")),
        record("S_LAT", double8(seconds(LAT_SOUTH))),
        record("N_LAT", double8(seconds(LAT_NORTH))),
        record("E_LONG", double8(-seconds(LON_EAST))),  # positive west
        record("W_LONG", double8(-seconds(LON_WEST))),
        record("LAT_INC", double8(seconds(LAT_STEP))),
        record("LONG_INC", double8(seconds(LON_STEP))),
        record("GS_COUNT", int8(ROWS * COLS)),
    ]
    nodes = bytearray()
    pack = struct.Struct("<4f").pack
    for row in grid:  # south to north
        for lat_corr, lon_corr in reversed(row):  # east to west
            nodes += pack(lat_corr * 3600.0, -lon_corr * 3600.0, 0.0, 0.0)
    end = record("END", b"\0" * 8)
    return b"".join(overview) + b"".join(subgrid) + bytes(nodes) + end


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=DEFAULT_SOURCE, help="rdtrans2018.txt (NSGI variant-2 grid)")
    parser.add_argument("--out", default=DEFAULT_OUT, help="NTv2 file to write")
    args = parser.parse_args()

    with open(args.source, "rb") as f:
        source_sha = sha256(f.read())
    if source_sha != EXPECTED_SOURCE_SHA256:
        print(f"make_rd_grid: warning: {args.source} has sha256 {source_sha}, "
              f"not the documented {EXPECTED_SOURCE_SHA256}", file=sys.stderr)
    data = ntv2_bytes(read_grid(args.source))

    tmp = args.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, args.out)
    print(f"wrote {args.out}: {len(data)} bytes")
    print(f"input  sha256 {source_sha}")
    print(f"output sha256 {sha256(data)}")


if __name__ == "__main__":
    main()
