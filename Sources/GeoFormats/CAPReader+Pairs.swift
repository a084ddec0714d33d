import FanoutCore
import Foundation
import Geo

// MARK: - CAP's text values: lat,lon pairs, polygons, circles

extension CAPReader {
    /// A CAP number: optional sign (CAP allows a leading `+`), digits, optional decimals.
    static func number(_ s: Substring) -> Double? {
        var t = s
        if t.first == "+" || t.first == "-" { t = t.dropFirst() }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard !t.isEmpty, parts.count <= 2, !parts[0].isEmpty || (parts.count == 2 && !parts[1].isEmpty),
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else { return nil }
        let value = Double(String(s.first == "+" ? s.dropFirst() : s))
        return value.flatMap { $0.isFinite ? $0 : nil }
    }

    /// Why a pair is not a point.
    struct Why: Error {
        var text: String
        init(_ text: String) { self.text = text }
    }

    /// Parses "lat,lon" into a point, or returns why not.
    static func point(_ token: Substring) -> Result<LonLat, CAPReader.Why> {
        let parts = token.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, let lat = number(parts[0]), let lon = number(parts[1]) else {
            var hint = token.hasSuffix(",") ? " (trailing comma)" : ""
            if parts.count == 3, parts.allSatisfy({ number($0) != nil }) {
                // Not a height to drop, as in GeoJSON or WKT: CAP 1.2 has no third value, so the
                // pair is refused rather than guessed at.
                hint = " (3 values: a CAP pair has no height; CAP gives it for the whole area in <altitude>)"
            }
            return .failure(Why("'\(short(String(token)))' is not lat,lon\(hint)"))
        }
        guard (-90...90).contains(lat) else { return .failure(Why("'\(token)': latitude \(lat) is outside -90...90")) }
        guard (-180...180).contains(lon) else {
            return .failure(Why("'\(token)': longitude \(lon) is outside -180...180"))
        }
        return .success(LonLat(lon: lon, lat: lat))
    }

    /// Parses a `<polygon>`: space-separated lat,lon pairs, at least 4, first = last.
    ///
    /// - Parameters:
    ///   - name: The file, for messages.
    ///   - place: The info, area and polygon, for messages.
    ///   - firstLine: The line the text starts on (the start tag's), so that a bad pair is named
    ///     by its own line.
    static func polygon(_ text: String, name: String, place: String, line firstLine: Int) throws -> [XY] {
        func fail(_ line: Int, _ message: String) -> GeoError {
            GeoError(.parse, "\(name): line \(line): \(place): \(message)", location: ErrorLocation(input: name, line: line))
        }
        var ring: [XY] = []
        var line = firstLine
        for lineText in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            for t in lineText.split(whereSeparator: \.isWhitespace) {
                switch point(t) {
                case .success(let p): ring.append(XY(p.lon, p.lat))
                case .failure(let why): throw fail(line, "pair \(ring.count + 1) \(why.text)")
                }
            }
            line += 1
        }
        guard !ring.isEmpty else {
            throw fail(firstLine, "empty polygon (CAP needs at least 4 lat,lon pairs, first = last)")
        }
        guard ring.count >= 4 else {
            throw fail(firstLine, "\(ring.count) pairs; CAP needs at least 4 (first = last)")
        }
        guard ring.first == ring.last else {
            throw fail(firstLine, "not closed (the first pair must equal the last)")
        }
        return ring
    }

    /// Parses a `<circle>`: "lat,lon radius_km".
    static func circle(_ text: String, place: String) throws -> CAPCircle {
        let tokens = text.split(whereSeparator: \.isWhitespace)
        guard tokens.count == 2 else {
            throw GeoError(.parse, "\(place): expected 'lat,lon radius_km', got '\(short(text))'")
        }
        let center: LonLat
        switch point(tokens[0]) {
        case .success(let p): center = p
        case .failure(let why): throw GeoError(.parse, "\(place): centre \(why.text)")
        }
        guard let r = number(tokens[1]), r >= 0 else {
            throw GeoError(.parse, "\(place): radius '\(short(String(tokens[1])))' is not a number of km >= 0")
        }
        // Beyond this a radius means nothing on Earth (and in metres no longer fits an Int).
        guard r <= maxRadiusKm else {
            throw GeoError(
                .parse,
                "\(place): radius \(short(String(tokens[1]))) km is larger than half the Earth's circumference "
                    + "(\(Int(maxRadiusKm)) km)")
        }
        return CAPCircle(center: center, radiusKm: r)
    }
}
