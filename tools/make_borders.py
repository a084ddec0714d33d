#!/usr/bin/env python3
"""Build data/borders-nl-be-de.geojson: the land and sea territory of NL, BE and DE.

Source
    timezone-boundary-builder release 2026c (built from OpenStreetMap boundary relations), as
    shipped by the PyPI package `timezonefinder-data` 3.2026.3.post1 and read through
    `timezonefinder` 9.0.0 (`TimezoneFinder(in_memory=True).get_geometry(tz_name=...)`). The
    coordinates are OSM's own, to 1e-6 degree, unsimplified. Countries map to time zones:
        NL = Europe/Amsterdam, BE = Europe/Brussels, DE = Europe/Berlin + Europe/Busingen.
    Each zone ends at the national border on land and includes the territorial waters at sea.
    This is the only open source found with NL/BE/DE borders good enough for the Baarle-Nassau /
    Baarle-Hertog enclaves (the DCW outline of GMT is far too coarse for that).

Licence
    Open Database License 1.0 (ODbL). Attribution: "Contains data © OpenStreetMap contributors,
    ODbL 1.0 (https://www.openstreetmap.org/copyright), via timezone-boundary-builder 2026c /
    timezonefinder-data 3.2026.3.post1". The output is a Derivative Database under the ODbL; the
    script copies the licence text shipped in the timezonefinder-data wheel next to it.

What it writes
    data/borders-nl-be-de.geojson: an RFC 7946 FeatureCollection with one MultiPolygon Feature
    per country (`properties.country` = NL, BE, DE; also `properties.time_zones`), lon/lat WGS84
    degrees with at most 6 decimals, exteriors counter-clockwise and holes clockwise, every ring
    closed. Top-level foreign members `attribution` and `license` repeat the terms.
    data/borders-nl-be-de.ODbL-1.0.txt: the ODbL 1.0 text (the wheel's DATA_LICENSE, verbatim).

    Changes made to the source data:
      - everything is clipped to the service region box lon 2.0..8.5, lat 49.4..54.0
        (Sources/Geo/ServiceRegion.swift); only Germany reaches beyond it (NL and BE lie inside and
        are copied unchanged). The clip is Sutherland-Hodgman per ring against the rectangle, in
        integer micro-degrees (the box edges are exact micro-degree values, new vertices on the box
        edges are rounded to the nearest micro-degree); the script checks that the clipped rings
        never run back along a box edge (the one way that clip can make an invalid ring) and stops
        if they do;
      - consecutive repeated vertices are removed, rings are oriented per RFC 7946;
      - polygons are ordered by descending area (the mainland first); no vertex is moved or
        simplified. Nothing is simplified: the clipped file is below 3 MB.
    The zones overlap where the countries' claims do: NL and DE both include ~277 km² of the
    Ems-Dollart estuary. That is kept as it is; the Swift `CountryLocator` gives NL precedence.

How to run
    python3 tools/make_borders.py              # from anywhere; writes into the package's data/
    python3 tools/make_borders.py --out PATH

    If timezonefinder 9.0.0 / timezonefinder-data 3.2026.3.post1 are not importable in exactly
    those versions, the script creates a throw-away virtual environment in a temporary
    directory, installs the pinned versions there with pip, and re-runs itself with that
    interpreter. Nothing is installed into your own Python. The output is deterministic for the
    pinned versions. Afterwards update the sha256 in data/LICENSES.md (printed by the script).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

PINS = {"timezonefinder": "9.0.0", "timezonefinder-data": "3.2026.3.post1"}
ZONES = {
    "NL": ["Europe/Amsterdam"],
    "BE": ["Europe/Brussels"],
    "DE": ["Europe/Berlin", "Europe/Busingen"],
}
SCALE = 1_000_000  # micro-degrees
# The service region (Sources/Geo/ServiceRegion.swift), in micro-degrees.
BOX = (2_000_000, 49_400_000, 8_500_000, 54_000_000)  # west, south, east, north
ATTRIBUTION = (
    "Contains data © OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright), "
    "via timezone-boundary-builder 2026c / timezonefinder-data 3.2026.3.post1"
)
LICENSE_NOTE = (
    "Open Database License (ODbL) 1.0, https://opendatacommons.org/licenses/odbl/1-0/ "
    "(full text in borders-nl-be-de.ODbL-1.0.txt); this file is a Derivative Database under the ODbL"
)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "data", "borders-nl-be-de.geojson")
LICENSE_FILE_NAME = "borders-nl-be-de.ODbL-1.0.txt"
REEXEC_MARKER = "MAKE_BORDERS_BOOTSTRAPPED"


# MARK: - Bootstrapping the pinned packages


def pinned_packages_present() -> bool:
    """Whether exactly the pinned versions are importable."""
    from importlib import metadata

    try:
        return all(metadata.version(name) == version for name, version in PINS.items())
    except metadata.PackageNotFoundError:
        return False


def ensure_packages() -> None:
    """Return if the pinned packages are present, else install them in a temporary venv and re-run."""
    if pinned_packages_present():
        return
    if os.environ.get(REEXEC_MARKER):
        sys.exit("make_borders: the pinned packages are still not importable after installing them; giving up")
    specs = [f"{name}=={version}" for name, version in PINS.items()]
    tmp = tempfile.mkdtemp(prefix="make_borders-")
    print(f"make_borders: installing {' '.join(specs)} into {tmp}", file=sys.stderr)
    env = dict(os.environ, **{REEXEC_MARKER: "1"})
    try:
        venv = os.path.join(tmp, "venv")
        try:
            subprocess.run([sys.executable, "-m", "venv", venv], check=True)
            py = os.path.join(venv, "bin", "python")
            subprocess.run([py, "-m", "pip", "install", "--quiet", *specs], check=True)
        except (subprocess.CalledProcessError, OSError) as err:
            sys.exit(f"make_borders: could not install {' '.join(specs)} ({err}); "
                     f"install them yourself (pip install {' '.join(specs)}) and re-run")
        result = subprocess.run([py, os.path.abspath(__file__), *sys.argv[1:]], env=env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(result.returncode)


# MARK: - Geometry in integer micro-degrees


def signed_area2(ring: list[tuple[int, int]]) -> int:
    """Twice the signed area of a closed ring (positive when counter-clockwise), exact."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:]))


def dedupe(ring: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drops consecutive repeated vertices and closes the ring."""
    out: list[tuple[int, int]] = []
    for p in ring:
        if not out or out[-1] != p:
            out.append(p)
    if out and out[0] != out[-1]:
        out.append(out[0])
    while len(out) > 1 and out[-2] == out[-1]:
        out.pop()
    return out


def clip_ring(ring: list[tuple[int, int]], box: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    """Sutherland-Hodgman clip of a closed ring against an axis-aligned box; returns a closed ring or []."""
    west, south, east, north = box

    def cut(points, inside, cross):
        if not points:
            return []
        out = []
        prev = points[-1]
        for cur in points:
            if inside(cur):
                if not inside(prev):
                    out.append(cross(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cross(prev, cur))
            prev = cur
        return out

    def at_x(x):
        def cross(a, b):
            t = (x - a[0]) / (b[0] - a[0])
            return (x, round(a[1] + t * (b[1] - a[1])))
        return cross

    def at_y(y):
        def cross(a, b):
            t = (y - a[1]) / (b[1] - a[1])
            return (round(a[0] + t * (b[0] - a[0])), y)
        return cross

    pts = ring[:-1]  # open
    pts = cut(pts, lambda p: p[0] >= west, at_x(west))
    pts = cut(pts, lambda p: p[0] <= east, at_x(east))
    pts = cut(pts, lambda p: p[1] >= south, at_y(south))
    pts = cut(pts, lambda p: p[1] <= north, at_y(north))
    if len(pts) < 3:
        return []
    return dedupe(pts + [pts[0]])


def runs_back_along_box(ring: list[tuple[int, int]], box: tuple[int, int, int, int]) -> bool:
    """Whether two edges of the ring that lie on the same box edge overlap (a zero-width bridge)."""
    west, south, east, north = box
    lines = {("x", west): [], ("x", east): [], ("y", south): [], ("y", north): []}
    for a, b in zip(ring, ring[1:]):
        for axis, v in lines:
            i = 0 if axis == "x" else 1
            if a[i] == v and b[i] == v:
                j = 1 - i
                lines[(axis, v)].append((min(a[j], b[j]), max(a[j], b[j])))
    for spans in lines.values():
        spans.sort()
        for (lo1, hi1), (lo2, hi2) in zip(spans, spans[1:]):
            if lo2 < hi1:
                return True
    return False


def in_box(ring, box) -> bool:
    west, south, east, north = box
    return all(west <= x <= east and south <= y <= north for x, y in ring)


def outside_box(ring, box) -> bool:
    west, south, east, north = box
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return max(xs) < west or min(xs) > east or max(ys) < south or min(ys) > north


def country_polygons(tf, zones: list[str], box) -> tuple[list[list[list[tuple[int, int]]]], int]:
    """The country's polygons clipped to box, oriented; also the number of source vertices."""
    polygons = []
    source_vertices = 0
    for zone in zones:
        for polygon in tf.get_geometry(tz_name=zone, coords_as_pairs=True):
            rings = []
            for index, raw in enumerate(polygon):
                ring = dedupe([(round(x * SCALE), round(y * SCALE)) for x, y in raw])
                source_vertices += len(ring)
                if outside_box(ring, box):
                    clipped = []
                elif in_box(ring, box):
                    clipped = ring
                else:
                    clipped = clip_ring(ring, box)
                    if clipped and runs_back_along_box(clipped, box):
                        sys.exit(f"make_borders: the clip of a ring of {zone} runs back along the box edge "
                                 "(the Sutherland-Hodgman result would be invalid); use a general polygon clip")
                if len(clipped) < 4 or signed_area2(clipped) == 0:
                    if index == 0:
                        break  # the shell is gone, and with it the holes
                    continue
                exterior = index == 0
                if (signed_area2(clipped) > 0) != exterior:
                    clipped.reverse()
                rings.append(clipped)
            if rings:
                polygons.append(rings)
    polygons.sort(key=lambda rings: (-abs(signed_area2(rings[0])), rings[0][0]))
    return polygons, source_vertices


# MARK: - Output


def fmt(v: int) -> str:
    """Micro-degrees as a decimal with at most 6 fraction digits (exact, no float rounding)."""
    sign = "-" if v < 0 else ""
    whole, frac = divmod(abs(v), SCALE)
    text = f"{frac:06d}".rstrip("0")
    return f"{sign}{whole}.{text}" if text else f"{sign}{whole}"


def geojson(features) -> str:
    """Compact GeoJSON with one line per polygon, so diffs between versions stay readable."""
    out = ['{"type":"FeatureCollection",', f'"attribution":"{ATTRIBUTION}",', f'"license":"{LICENSE_NOTE}",',
           '"features":[']
    for n, (country, zones, polygons) in enumerate(features):
        zone_list = ",".join(f'"{z}"' for z in zones)
        out.append(f'{{"type":"Feature","properties":{{"country":"{country}","time_zones":[{zone_list}]}},'
                   '"geometry":{"type":"MultiPolygon","coordinates":[')
        for k, rings in enumerate(polygons):
            body = ",".join("[" + ",".join(f"[{fmt(x)},{fmt(y)}]" for x, y in ring) + "]" for ring in rings)
            out.append(f"[{body}]" + ("," if k + 1 < len(polygons) else ""))
        out.append("]}}" + ("," if n + 1 < len(features) else ""))
    out.append("]}")
    return "\n".join(out) + "\n"


def licence_text() -> bytes:
    """The ODbL 1.0 text shipped in the timezonefinder-data wheel (dist-info licenses/DATA_LICENSE)."""
    from importlib import metadata

    dist = metadata.distribution("timezonefinder-data")
    for f in dist.files or []:
        if f.name == "DATA_LICENSE":
            data = f.read_bytes() if hasattr(f, "read_bytes") else open(f.locate(), "rb").read()
            if b"Open Database License" not in data[:200]:
                sys.exit("make_borders: DATA_LICENSE in timezonefinder-data is not the ODbL text")
            return data
    sys.exit("make_borders: timezonefinder-data ships no DATA_LICENSE file")


def write_atomically(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help="output GeoJSON (default: data/borders-nl-be-de.geojson)")
    args = parser.parse_args()

    ensure_packages()
    from timezonefinder import TimezoneFinder

    tf = TimezoneFinder(in_memory=True)
    features = []
    print(f"timezonefinder {PINS['timezonefinder']}, timezonefinder-data {PINS['timezonefinder-data']}")
    total = 0
    for country, zones in ZONES.items():
        polygons, source_vertices = country_polygons(tf, zones, BOX)
        vertices = sum(len(r) for p in polygons for r in p)
        holes = sum(len(p) - 1 for p in polygons)
        total += vertices
        print(f"  {country} ({', '.join(zones)}): {source_vertices:7,d} vertices in the source, "
              f"{vertices:7,d} written; {len(polygons)} polygons, {holes} holes")
        features.append((country, zones, polygons))
    data = geojson(features).encode("utf-8")
    write_atomically(args.out, data)
    lic = licence_text()
    lic_path = os.path.join(os.path.dirname(os.path.abspath(args.out)), LICENSE_FILE_NAME)
    write_atomically(lic_path, lic)
    print(f"  total: {total:,d} vertices")
    print(f"wrote {args.out}: {len(data):,d} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
    print(f"wrote {lic_path}: {len(lic):,d} bytes, sha256 {hashlib.sha256(lic).hexdigest()}")


if __name__ == "__main__":
    main()
