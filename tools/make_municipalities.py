#!/usr/bin/env python3
"""Build data/municipalities-nl.geojson: the Dutch municipalities (gemeenten) of 1 January 2023.

Source
    CBS (Statistics Netherlands) "Wijk- en buurtkaart 2023", layer `gemeenten` (land only,
    `water` = NEE), as published through PDOK's WFS
    (https://service.pdok.nl/cbs/wijkenbuurten/2023/wfs/v1_0), reprojected to WGS84 and simplified
    with mapshaper by a third party. The copy used is `web/data/gemeenten.json` of the public
    repository stdekker/open-data-maps at commit 32d9e4b6f6f01fb4f6022007989626041f77eef5
    (sha256 b7e5aef2d76c825e597152921f811217efbddd10500264524e6661e22f3b25d3): 343 municipalities,
    17,783 vertices. There is no network here, so the script reads a local copy of that file:

        python3 tools/make_municipalities.py SOURCE.json [data/municipalities-nl.geojson]

Licence
    CBS data, Creative Commons Attribution 4.0 (CC BY 4.0). Attribution: "CBS Wijk- en
    buurtkaart 2023 (gemeenten), CC BY 4.0, via PDOK; generalised".

What it writes
    An RFC 7946 FeatureCollection, one Polygon/MultiPolygon Feature per municipality with
    `properties.code` (CBS code, e.g. GM0363) and `properties.name` (e.g. Amsterdam), sorted by code;
    lon/lat rounded to 6 decimals (0.1 m, far below the source's generalisation); consecutive
    repeated vertices (after rounding) removed; rings oriented per RFC 7946 (shells
    counter-clockwise, holes clockwise). Nothing else is changed. Top-level members `attribution`,
    `license`, `source` and `accuracy` repeat the terms.

    Deterministic: the same source gives the same bytes.
"""
import json
import sys

ACCURACY = ("generalised (CBS Wijk- en buurtkaart 2023, simplified with mapshaper): boundaries "
            "are off by up to several hundred metres; see data/LICENSES.md")


def ring_area2(ring):
    s = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        s += x1 * y2 - x2 * y1
    return s


def clean_ring(ring, shell):
    out = []
    for x, y in ring:
        p = [round(x, 6), round(y, 6)]
        if not out or out[-1] != p:
            out.append(p)
    if out[0] != out[-1]:
        out.append(out[0])
    if len(out) < 4:
        return None
    if (ring_area2(out) > 0) != shell:
        out.reverse()
    return out


def clean_polygon(rings):
    shell = clean_ring(rings[0], True)
    if shell is None:
        return None
    holes = [h for h in (clean_ring(r, False) for r in rings[1:]) if h is not None]
    return [shell] + holes


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: make_municipalities.py SOURCE.json [OUT.geojson]")
    source, out = sys.argv[1], (sys.argv[2] if len(sys.argv) == 3 else "data/municipalities-nl.geojson")
    with open(source, encoding="utf-8") as f:
        doc = json.load(f)
    features = []
    for feat in doc["features"]:
        props = feat["properties"]
        if props.get("water") not in (None, "NEE"):
            continue
        code, name = props["gemeentecode"], props["gemeentenaam"]
        geom = feat["geometry"]
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        cleaned = [p for p in (clean_polygon(p) for p in polys) if p is not None]
        if not cleaned:
            sys.exit(f"{source}: {code} {name}: no polygon left")
        g = ({"type": "Polygon", "coordinates": cleaned[0]} if len(cleaned) == 1
             else {"type": "MultiPolygon", "coordinates": cleaned})
        features.append({"type": "Feature", "properties": {"code": code, "name": name}, "geometry": g})
    features.sort(key=lambda f: f["properties"]["code"])
    codes = [f["properties"]["code"] for f in features]
    if len(set(codes)) != len(codes):
        sys.exit(f"{source}: repeated municipality codes")
    head = {
        "type": "FeatureCollection",
        "attribution": "CBS Wijk- en buurtkaart 2023 (gemeenten), CC BY 4.0, via PDOK; generalised",
        "license": "CC-BY-4.0",
        "source": "stdekker/open-data-maps@32d9e4b6f6f01fb4f6022007989626041f77eef5 web/data/gemeenten.json",
        "accuracy": ACCURACY,
    }
    with open(out, "w", encoding="utf-8") as f:
        f.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n')
        for i, feat in enumerate(features):
            f.write(json.dumps(feat, ensure_ascii=False, separators=(",", ":")))
            f.write(",\n" if i + 1 < len(features) else "\n")
        f.write("]}\n")
    n = sum(len(r) for f in features for p in
            ([f["geometry"]["coordinates"]] if f["geometry"]["type"] == "Polygon" else f["geometry"]["coordinates"])
            for r in p)
    print(f"{out}: {len(features)} municipalities, {n} vertices")


if __name__ == "__main__":
    main()
