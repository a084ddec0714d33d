import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import Selection

// MARK: - Drawing the map as SVG

extension AreaMap {
    /// The map frame's width in pixels; its height follows the extent's aspect (within 3:4…4:3).
    public static let frameWidth = 860.0
    /// The colours of the density classes, light to dark (ColorBrewer YlOrRd, light end dropped
    /// so that the first class stands out from the land colour).
    static let ramp = ["#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"]

    /// The map as a standalone SVG 1.1 document (UTF-8 text).
    ///
    /// Layers, bottom to top, each a `<g>` with an `id`: `countries` (territories, NL as water
    /// under its municipalities' land), `municipalities` (thin grey boundaries), `area-fill`,
    /// `density` (cells shaded by count, clipped to the area), `borders` (national borders,
    /// dashed), `area` (the outline, holes included: `area-outline`), `labels` (municipality and
    /// country names where they fit), `incident`, `scale-bar` (`data-meters`, `data-pixels`),
    /// `north-arrow` (true north), and `legend` (counts per country as `count-XX` and
    /// `count-total` with `data-count`, density classes, symbols, sources). Text is escaped.
    public func svg() -> String {
        var drawing = SVGMap(self)
        return drawing.document()
    }

    /// Class upper bounds for counts up to `maximum`: at most 6 classes, rounded to 1-2-5 steps,
    /// roughly evenly spaced on a log scale; the last bound is `maximum` (a last step below
    /// two-thirds of it is dropped, so the top class is never a sliver such as 51–53).
    package static func classBounds(maximum: Int) -> [Int] {
        guard maximum > 1 else { return [max(maximum, 1)] }
        var bounds: [Int] = []
        for k in 1...6 {
            let v = niceRound(pow(Double(maximum), Double(k) / 6))
            if v > (bounds.last ?? 0), v < maximum { bounds.append(v) }
        }
        // A last class of only a few values (51–53) is merged into the one below it (21–53).
        if let last = bounds.last, Double(maximum) < 1.5 * Double(last), bounds.count > 1 { bounds.removeLast() }
        bounds.append(maximum)
        return bounds
    }

    /// The nearest value of the series 1, 2, 5, 10, 20, 50, … (on a log scale).
    static func niceRound(_ v: Double) -> Int {
        let p = pow(10, (log10(max(v, 1))).rounded(.down))
        return Int(niceNumber(v, at: [p, 2 * p, 5 * p, 10 * p]))
    }
}

/// Builds the SVG text for an ``AreaMap``: projection to pixels and layers here; the legend and
/// the helpers in `AreaMap+SVGLegend.swift`.
struct SVGMap {
    let map: AreaMap
    /// Pixels per metre.
    let scale: Double
    let extent: Envelope
    let frame: (x: Double, y: Double, width: Double, height: Double)
    let width: Double
    let height: Double
    /// Boxes already used by labels and furniture, to keep labels apart.
    private var taken: [(x0: Double, y0: Double, x1: Double, y1: Double)] = []

    init(_ map: AreaMap) {
        self.map = map
        let e = map.extent  // its aspect is already within 3:4 … 4:3 (AreaInspector.mapExtent)
        extent = e
        scale = AreaMap.frameWidth / (e.maxX - e.minX)
        frame = (20, 64, AreaMap.frameWidth, (e.maxY - e.minY) * scale)
        width = frame.x + frame.width + 20 + 310
        height = max(frame.y + frame.height + 20, 700)
    }

    func px(_ x: Double) -> Double { frame.x + (x - extent.minX) * scale }
    func py(_ y: Double) -> Double { frame.y + (extent.maxY - y) * scale }

    // MARK: - Document

    /// The file name without its directories.
    var title: String { map.title }

    mutating func document() -> String {
        var s = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(n(width, 0))" height="\(n(height, 0))" \
            viewBox="0 0 \(n(width, 0)) \(n(height, 0))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
            <title>\(esc("Action area " + title))</title>
            <rect x="0" y="0" width="\(n(width, 0))" height="\(n(height, 0))" fill="#ffffff"/>
            <text x="\(n(frame.x, 0))" y="38" font-size="20" font-weight="bold" fill="#222222">\(esc("Action area: " + title))</text>
            <defs>
            <clipPath id="frame-clip"><rect x="\(n(frame.x))" y="\(n(frame.y))" width="\(n(frame.width))" height="\(n(frame.height))"/></clipPath>
            <clipPath id="area-clip"><path d="\(path(map.area))" clip-rule="evenodd"/></clipPath>
            </defs>
            <g clip-path="url(#frame-clip)">
            <rect x="\(n(frame.x))" y="\(n(frame.y))" width="\(n(frame.width))" height="\(n(frame.height))" fill="#d4e3ee"/>

            """
        s += countries()
        s += municipalities()
        s +=
            "<g id=\"area-fill\"><path d=\"\(path(map.area))\" fill=\"#1346c9\" fill-opacity=\"0.07\" fill-rule=\"evenodd\"/></g>\n"
        s += density()
        s += municipalBoundariesAbove()
        s += borders()
        s += """
            <g id="area"><path id="area-outline" d="\(path(map.area))" fill="none" stroke="#1346c9" stroke-width="2.6" \
            stroke-linejoin="round" fill-rule="evenodd"/></g>

            """
        s += "</g>\n"
        reserveFurniture()
        s += incident()
        s += labels()
        s += scaleBar()
        s += northArrow()
        s += "<rect x=\"\(n(frame.x))\" y=\"\(n(frame.y))\" width=\"\(n(frame.width))\" height=\"\(n(frame.height))\" "
        s += "fill=\"none\" stroke=\"#444444\" stroke-width=\"1\"/>\n"
        s += legend()
        s += "</svg>\n"
        return s
    }

    // MARK: - Layers

    func countries() -> String {
        let hasMunicipalities = !map.municipalities.isEmpty
        var s = "<g id=\"countries\">\n"
        for t in map.countries {
            let fill: String
            switch t.country {
            case .nl: fill = hasMunicipalities ? "#d4e3ee" : "#f7f4ec"  // NL water; land comes from the municipalities
            case .be: fill = "#efe6d2"
            case .de: fill = "#e6e9dc"
            default: fill = "#eeeeee"
            }
            s +=
                "<path data-country=\"\(t.country)\" d=\"\(path(t.polygons))\" fill=\"\(fill)\" fill-rule=\"evenodd\"/>\n"
        }
        return s + "</g>\n"
    }

    func municipalities() -> String {
        var s = "<g id=\"municipalities\" fill=\"#fbf9f3\" stroke=\"#8f8f8f\" stroke-width=\"0.7\">\n"
        for m in map.municipalities {
            s += "<path data-code=\"\(esc(m.code))\" d=\"\(path(m.polygons))\" fill-rule=\"evenodd\"/>\n"
        }
        return s + "</g>\n"
    }

    /// The municipal boundaries again, as lines over the density cells, so that a person sees
    /// which municipality a cell lies in.
    func municipalBoundariesAbove() -> String {
        var s = "<g id=\"municipal-boundaries\" fill=\"none\" stroke=\"#444444\" stroke-opacity=\"0.45\" "
        s += "stroke-width=\"0.7\">\n"
        for m in map.municipalities { s += "<path d=\"\(path(m.polygons))\"/>\n" }
        return s + "</g>\n"
    }

    func density() -> String {
        guard let d = map.density else { return "<g id=\"density\"/>\n" }
        let bounds = AreaMap.classBounds(maximum: d.cells.map(\.count).max() ?? 1)
        let colours = Self.colours(count: bounds.count)
        let side = d.cellMeters * scale
        var s = "<g id=\"density\" clip-path=\"url(#area-clip)\" fill-opacity=\"0.9\">\n"
        for c in d.cells {
            let k = bounds.firstIndex { c.count <= $0 } ?? bounds.count - 1
            let x = px(d.origin.x + Double(c.column) * d.cellMeters)
            let y = py(d.origin.y + Double(c.row + 1) * d.cellMeters)
            // A quarter pixel of overlap hides the anti-aliasing seams between neighbouring cells.
            s +=
                "<rect x=\"\(n(x, 2))\" y=\"\(n(y, 2))\" width=\"\(n(side + 0.25, 2))\" height=\"\(n(side + 0.25, 2))\" "
            s += "fill=\"\(colours[k])\"><title>\(c.count)</title></rect>\n"
        }
        return s + "</g>\n"
    }

    /// National borders: the territories' rings without the pieces that run along the clip
    /// rectangle (those are cuts, not borders).
    func borders() -> String {
        var d = ""
        let tolerance = 0.01
        func onEdge(_ a: XY, _ b: XY) -> Bool {
            let e = extent
            return (abs(a.x - e.minX) < tolerance && abs(b.x - e.minX) < tolerance)
                || (abs(a.x - e.maxX) < tolerance && abs(b.x - e.maxX) < tolerance)
                || (abs(a.y - e.minY) < tolerance && abs(b.y - e.minY) < tolerance)
                || (abs(a.y - e.maxY) < tolerance && abs(b.y - e.maxY) < tolerance)
        }
        for t in map.countries {
            for polygon in t.polygons {
                for ring in [polygon.shell] + polygon.holes where ring.count > 1 {
                    var open = false
                    var last = (x: -1e9, y: -1e9)
                    for i in 1..<ring.count {
                        let a = ring[i - 1]
                        let b = ring[i]
                        if onEdge(a, b) {
                            open = false
                            continue
                        }
                        if !open {
                            d += "M\(n(px(a.x))) \(n(py(a.y)))"
                            open = true
                            last = (px(a.x), py(a.y))
                        }
                        let p = (x: px(b.x), y: py(b.y))
                        if abs(p.x - last.x) + abs(p.y - last.y) >= 0.5 || i == ring.count - 1 {
                            d += "L\(n(p.x)) \(n(p.y))"
                            last = p
                        }
                    }
                }
            }
        }
        return """
            <g id="borders"><path d="\(d)" fill="none" stroke="#ffffff" stroke-width="4.5" stroke-opacity="0.8"/>\
            <path d="\(d)" fill="none" stroke="#3a3a3a" stroke-width="2" stroke-dasharray="9 3 2 3"/></g>

            """
    }

    // MARK: - Point symbols and labels

    mutating func reserveFurniture() {
        // Scale bar (bottom left) and north arrow (top right).
        taken.append((frame.x, frame.y + frame.height - 56, frame.x + 260, frame.y + frame.height))
        taken.append((frame.x + frame.width - 64, frame.y, frame.x + frame.width, frame.y + 84))
        let ix = px(map.incident.point.x)
        let iy = py(map.incident.point.y)
        taken.append((ix - 10, iy - 10, ix + 70, iy + 10))
    }

    func incident() -> String {
        let x = n(px(map.incident.point.x))
        let y = n(py(map.incident.point.y))
        return """
            <g id="incident"><circle cx="\(x)" cy="\(y)" r="8" fill="#ffffff" stroke="#000000" stroke-width="2.5"/>\
            <circle cx="\(x)" cy="\(y)" r="3" fill="#000000"/>\
            <text x="\(n(px(map.incident.point.x) + 12))" y="\(n(py(map.incident.point.y) + 4))" font-size="12" \
            font-weight="bold" fill="#000000" stroke="#ffffff" stroke-width="3" paint-order="stroke">incident</text></g>

            """
    }

    mutating func labels() -> String {
        var s =
            "<g id=\"labels\" text-anchor=\"middle\" paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"3\">\n"
        // Country names first (large, spaced), then municipalities by visible size.
        let names: [CountryCode: String] = [.nl: "NEDERLAND", .be: "BELGIË", .de: "DEUTSCHLAND"]
        // Only where the map shows more than one country.
        for t in map.countries.sorted(by: { $0.squareMeters > $1.squareMeters }) where map.countries.count > 1 {
            let text = names[t.country] ?? t.country.description
            if let at = place(text, at: t.label, fontSize: 15, visibleSquareMeters: t.squareMeters, spacing: 3) {
                s += "<text x=\"\(n(at.x))\" y=\"\(n(at.y))\" font-size=\"15\" letter-spacing=\"3\" fill=\"#6b6b6b\" "
                s += "font-weight=\"bold\">\(esc(text))</text>\n"
            }
        }
        let candidates = map.municipalities.compactMap { m in m.label.map { (m.name, $0.point, $0.visibleSquareMeters) }
        }
        for (name, point, visible) in candidates.sorted(by: { $0.2 > $1.2 }) {
            if let at = place(name, at: point, fontSize: 12, visibleSquareMeters: visible, spacing: 0) {
                s += "<text x=\"\(n(at.x))\" y=\"\(n(at.y))\" font-size=\"12\" fill=\"#555555\">\(esc(name))</text>\n"
            }
        }
        return s + "</g>\n"
    }

    /// Where a label goes (its baseline centre), or `nil` when it does not fit: the visible part
    /// must hold about four label boxes, the box must lie in the frame and clear of other labels.
    mutating func place(
        _ text: String, at point: XY, fontSize: Double, visibleSquareMeters: Double, spacing: Double
    ) -> (x: Double, y: Double)? {
        let w = Double(text.count) * (fontSize * 0.62 + spacing) + 6
        let h = fontSize + 4
        guard visibleSquareMeters * scale * scale >= 4 * w * h else { return nil }
        // The point itself, else a little above or below it (still well inside a part that large).
        for dy in [0, -1.4 * h, 1.4 * h, -2.8 * h, 2.8 * h] {
            let x = px(point.x)
            let y = py(point.y) + dy
            let box = (x0: x - w / 2, y0: y - h / 2, x1: x + w / 2, y1: y + h / 2)
            guard box.x0 >= frame.x + 2, box.x1 <= frame.x + frame.width - 2, box.y0 >= frame.y + 2,
                box.y1 <= frame.y + frame.height - 2
            else { continue }
            if taken.contains(where: { $0.x0 < box.x1 && box.x0 < $0.x1 && $0.y0 < box.y1 && box.y0 < $0.y1 }) {
                continue
            }
            taken.append(box)
            return (x, y + fontSize * 0.35)
        }
        return nil
    }

    // MARK: - Scale bar and north arrow

    /// The scale bar: a round length (1, 2 or 5 × 10ⁿ m) of at most a quarter of the frame.
    func scaleBar() -> String {
        let maxMeters = frame.width / 4 / scale
        let p = pow(10, log10(maxMeters).rounded(.down))
        let meters = [5 * p, 2 * p, p].first { $0 <= maxMeters } ?? p
        let length = meters * scale
        let x0 = frame.x + 16
        let y0 = frame.y + frame.height - 22
        func label(_ m: Double) -> String {
            m >= 1000
                ? "\(DecimalFormat.string(m / 1000, decimals: m.truncatingRemainder(dividingBy: 1000) == 0 ? 0 : 1)) km"
                : "\(Int(m)) m"
        }
        var s = "<g id=\"scale-bar\" data-meters=\"\(n(meters, 0))\" data-pixels=\"\(n(length, 3))\">\n"
        s += "<rect x=\"\(n(x0 - 8))\" y=\"\(n(y0 - 24))\" width=\"\(n(length + 56))\" height=\"40\" "
        s += "fill=\"#ffffff\" fill-opacity=\"0.85\" rx=\"3\"/>\n"
        for k in 0..<4 {
            let fill = k % 2 == 0 ? "#222222" : "#ffffff"
            s += "<rect x=\"\(n(x0 + Double(k) * length / 4, 2))\" y=\"\(n(y0))\" width=\"\(n(length / 4, 2))\" "
            s += "height=\"6\" fill=\"\(fill)\" stroke=\"#222222\" stroke-width=\"0.8\"/>\n"
        }
        s += "<text x=\"\(n(x0))\" y=\"\(n(y0 - 6))\" font-size=\"11\" text-anchor=\"middle\">0</text>\n"
        s += "<text x=\"\(n(x0 + length / 2))\" y=\"\(n(y0 - 6))\" font-size=\"11\" text-anchor=\"middle\">"
        s += "\(label(meters / 2))</text>\n"
        s += "<text x=\"\(n(x0 + length))\" y=\"\(n(y0 - 6))\" font-size=\"11\" text-anchor=\"middle\">"
        s += "\(label(meters))</text>\n"
        return s + "</g>\n"
    }

    func northArrow() -> String {
        let cx = frame.x + frame.width - 32
        let cy = frame.y + 40
        return """
            <g id="north-arrow" data-degrees="\(n(map.trueNorthDegrees, 3))">\
            <circle cx="\(n(cx))" cy="\(n(cy))" r="26" fill="#ffffff" fill-opacity="0.85" stroke="#444444" stroke-width="0.8"/>\
            <g transform="rotate(\(n(map.trueNorthDegrees, 3)) \(n(cx)) \(n(cy)))">\
            <path d="M\(n(cx)) \(n(cy - 20))L\(n(cx + 7)) \(n(cy + 8))L\(n(cx)) \(n(cy + 3))L\(n(cx - 7)) \(n(cy + 8))Z" \
            fill="#222222"/>\
            <text x="\(n(cx))" y="\(n(cy + 21))" font-size="11" font-weight="bold" text-anchor="middle">N</text></g></g>

            """
    }

}

/// Text escaped for XML character data and attribute values (``CAPWriter/escape(_:)``), with
/// the control characters XML 1.0 forbids (all below U+0020 but tab, newline and return)
/// replaced by U+FFFD.
func esc(_ text: String) -> String {
    let allowed = String(
        String.UnicodeScalarView(
            text.unicodeScalars.map { $0.value < 0x20 && !["\t", "\n", "\r"].contains($0) ? "\u{FFFD}" : $0 }))
    return CAPWriter.escape(allowed)
}
