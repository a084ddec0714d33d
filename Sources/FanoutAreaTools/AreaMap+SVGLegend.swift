import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import Selection

// MARK: - The SVG map's legend and helpers

extension SVGMap {
    /// The legend beside the frame: counts per country and the total, density classes, symbols,
    /// the area and the data sources.
    func legend() -> String {
        let x = frame.x + frame.width + 24
        var y = frame.y + 14
        var s = "<g id=\"legend\" font-size=\"13\" fill=\"#222222\">\n"
        func line(_ text: String, size: Double = 13, bold: Bool = false, id: String? = nil, count: Int? = nil) {
            s += "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size, 0))\""
            if bold { s += " font-weight=\"bold\"" }
            if let id { s += " id=\"\(id)\"" }
            if let count { s += " data-count=\"\(count)\"" }
            s += ">\(esc(text))</text>\n"
            y += size + 7
        }
        line("Participants inside", size: 15, bold: true)
        if let d = map.density {
            for (country, count) in d.byCountry {
                line(
                    "\(country == "??" ? "unknown country" : country): \(grouped(count))", id: "count-\(country)",
                    count: count)
            }
            line("Total: \(grouped(d.total))", bold: true, id: "count-total", count: d.total)
            y += 8
            let bounds = AreaMap.classBounds(maximum: d.cells.map(\.count).max() ?? 1)
            let colours = Self.colours(count: bounds.count)
            let km = d.cellMeters / 1000
            let side = km >= 1 ? "\(n(km, km.rounded() == km ? 0 : 1)) km" : "\(Int(d.cellMeters)) m"
            line("Participants per \(side) × \(side) cell", bold: true)
            var low = 1
            for (k, b) in bounds.enumerated() {
                s += "<rect x=\"\(n(x))\" y=\"\(n(y - 12))\" width=\"22\" height=\"14\" fill=\"\(colours[k])\" "
                s += "stroke=\"#999999\" stroke-width=\"0.5\"/>\n"
                s += "<text x=\"\(n(x + 30))\" y=\"\(n(y))\">\(low == b ? "\(b)" : "\(low)–\(b)")</text>\n"
                y += 20
                low = b + 1
            }
            s +=
                "<rect x=\"\(n(x))\" y=\"\(n(y - 12))\" width=\"22\" height=\"14\" fill=\"#1346c9\" fill-opacity=\"0.07\" "
            s += "stroke=\"#999999\" stroke-width=\"0.5\"/>\n"
            s += "<text x=\"\(n(x + 30))\" y=\"\(n(y))\">none</text>\n"
            y += 20
        } else {
            line("no registry given")
        }
        y += 12
        line("Map", size: 15, bold: true)
        func symbol(_ svg: String, _ text: String) {
            s += svg + "<text x=\"\(n(x + 30))\" y=\"\(n(y))\">\(esc(text))</text>\n"
            y += 22
        }
        symbol(
            "<rect x=\"\(n(x))\" y=\"\(n(y - 12))\" width=\"22\" height=\"14\" fill=\"#1346c9\" fill-opacity=\"0.07\" "
                + "stroke=\"#1346c9\" stroke-width=\"2.6\"/>\n",
            "action area (\(DecimalFormat.string(map.areaKm2, decimals: 2)) km²)")
        symbol(
            "<circle cx=\"\(n(x + 11))\" cy=\"\(n(y - 5))\" r=\"7\" fill=\"#ffffff\" stroke=\"#000000\" stroke-width=\"2.5\"/>"
                + "<circle cx=\"\(n(x + 11))\" cy=\"\(n(y - 5))\" r=\"2.5\" fill=\"#000000\"/>\n",
            "incident point (\(map.incident.source)"
                + (map.incidentOutsideMeters > 0
                    ? ", \(AreaInspector.distanceText(map.incidentOutsideMeters)) outside the area)" : ")"))
        symbol(
            "<path d=\"M\(n(x)) \(n(y - 5))h22\" stroke=\"#3a3a3a\" stroke-width=\"2\" stroke-dasharray=\"9 3 2 3\"/>\n",
            "national border")
        if !map.municipalities.isEmpty {
            symbol(
                "<path d=\"M\(n(x)) \(n(y - 5))h22\" stroke=\"#8f8f8f\" stroke-width=\"0.7\"/>\n",
                "municipal boundary")
            symbol(
                "<rect x=\"\(n(x))\" y=\"\(n(y - 12))\" width=\"22\" height=\"14\" fill=\"#d4e3ee\"/>\n",
                "water / no municipal land")
        }
        y += 6
        for note in ["RD New (EPSG:28992), grid north up"] + map.notes {
            for part in wrap(note, width: 46) { line(part, size: 10) }
        }
        return s + "</g>\n"
    }

    // MARK: - Helpers

    /// `count` colours spread over the ramp, light to dark.
    static func colours(count: Int) -> [String] {
        let r = AreaMap.ramp
        guard count > 1 else { return [r[r.count / 2]] }
        return (0..<count).map { r[Int((Double($0) * Double(r.count - 1) / Double(count - 1)).rounded())] }
    }

    /// SVG path data for polygons, rings closed, vertices closer than half a pixel merged.
    func path(_ polygons: [PlanarPolygon]) -> String {
        var d = ""
        for polygon in polygons {
            for ring in [polygon.shell] + polygon.holes where !ring.isEmpty {
                var last = (x: px(ring[0].x), y: py(ring[0].y))
                d += "M\(n(last.x)) \(n(last.y))"
                for p in ring.dropFirst() {
                    let q = (x: px(p.x), y: py(p.y))
                    if abs(q.x - last.x) + abs(q.y - last.y) >= 0.5 {
                        d += "L\(n(q.x)) \(n(q.y))"
                        last = q
                    }
                }
                d += "Z"
            }
        }
        return d
    }

    func n(_ v: Double, _ decimals: Int = 1) -> String { DecimalFormat.string(v, decimals: decimals) }

    func grouped(_ v: Int) -> String {
        let digits = String(v)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return out
    }

    func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty, current.count + word.count + 1 > width {
                lines.append(current)
                current = ""
            }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
