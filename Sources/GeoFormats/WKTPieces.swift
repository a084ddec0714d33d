import FanoutCore
import Geo
/// One top-level geometry of a WKT file: its text and where it starts.
struct WKTPiece: Equatable {
    /// The geometry's text, from its type name to its closing parenthesis (or `EMPTY`).
    var text: String
    /// The 1-based line it starts on.
    var line: Int
    /// The 0-based byte offset it starts at.
    var offset: Int
    /// Its type name as written, upper-cased (`POLYGON`), or `?` when it has none.
    var type: String
}

/// Splits a WKT file into its top-level geometries, and refuses text after the last one.
///
/// GEOS's WKT reader reads one geometry and ignores whatever follows it: a second `POLYGON` on
/// the next line, or `)` and stray words. This finds where each geometry ends by counting
/// parentheses (a geometry ends where its depth returns to 0, or after `EMPTY`), so that several
/// geometries can be treated as the features of the file and anything else is refused.
enum WKTPieces {
    /// The WKT type names a geometry may start with (upper case).
    static let typeNames: Set<String> = [
        "POINT", "LINESTRING", "LINEARRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON",
        "GEOMETRYCOLLECTION", "CIRCULARSTRING", "COMPOUNDCURVE", "CURVEPOLYGON", "MULTICURVE", "MULTISURFACE",
        "TRIANGLE", "TIN", "POLYHEDRALSURFACE",
    ]

    /// The geometries of `text`, in order.
    ///
    /// A first geometry whose parentheses never close, or that does not start like WKT, is
    /// returned whole, for GEOS to report what is wrong with it.
    ///
    /// - Throws: ``GeoError`` `.parse` (without the file name) for text after a geometry that is
    ///   not another geometry, naming its line and byte offset.
    /// - Complexity: O(n) in the length of the text.
    static func split(_ text: String) throws -> [WKTPiece] {
        let bytes = Array(text.utf8)
        var pieces: [WKTPiece] = []
        var i = 0
        var line = 1
        func skipSpace() {
            while i < bytes.count, isSpace(bytes[i]) {
                if bytes[i] == 0x0A { line += 1 }
                i += 1
            }
        }
        func piece(_ start: Int, _ end: Int, line: Int) -> WKTPiece {
            WKTPiece(
                text: String(decoding: bytes[start..<end], as: UTF8.self), line: line, offset: start,
                type: word(bytes, at: start).map { String(decoding: $0, as: UTF8.self).uppercased() } ?? "?")
        }
        skipSpace()
        while i < bytes.count {
            let (start, startLine) = (i, line)
            if !pieces.isEmpty {
                let name = word(bytes, at: i).map { String(decoding: $0, as: UTF8.self).uppercased() }
                guard let name, typeNames.contains(name) || name == "SRID" else {
                    throw GeoError(
                        .parse,
                        "line \(line): byte \(i): unexpected text '\(excerpt(bytes, at: i))' after the WKT geometry "
                            + "that ends on line \(pieces[pieces.count - 1].line + newlines(in: pieces[pieces.count - 1].text)) "
                            + "(only white space, or another geometry, may follow it)",
                        location: ErrorLocation(line: line))
                }
            }
            guard let end = geometryEnd(bytes, from: i, line: &line) else {
                // Unbalanced or never started: GEOS says what is wrong.
                pieces.append(piece(start, bytes.count, line: startLine))
                return pieces
            }
            pieces.append(piece(start, end, line: startLine))
            i = end
            skipSpace()
        }
        return pieces
    }

    /// The offset just after the geometry starting at `start` (its closing parenthesis at depth
    /// 0, or the word `EMPTY` outside parentheses), or `nil` when the text ends first or a
    /// parenthesis closes that was never opened.
    private static func geometryEnd(_ bytes: [UInt8], from start: Int, line: inout Int) -> Int? {
        var depth = 0
        var i = start
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "(") {
                depth += 1
            } else if c == UInt8(ascii: ")") {
                depth -= 1
                if depth == 0 { return i + 1 }
                if depth < 0 { return nil }
            } else if c == 0x0A {
                line += 1
            } else if depth == 0, let w = word(bytes, at: i) {
                i += w.count
                if String(decoding: w, as: UTF8.self).uppercased() == "EMPTY" { return i }
                continue
            }
            i += 1
        }
        return nil
    }

    /// The run of ASCII letters starting at `i`, if `bytes[i]` is one.
    private static func word(_ bytes: [UInt8], at i: Int) -> ArraySlice<UInt8>? {
        var j = i
        while j < bytes.count, isLetter(bytes[j]) { j += 1 }
        return j > i ? bytes[i..<j] : nil
    }

    /// Up to 20 characters from `i`, on one line, for a message.
    private static func excerpt(_ bytes: [UInt8], at i: Int) -> String {
        let line = bytes[i...].prefix { $0 != 0x0A && $0 != 0x0D }
        let text = String(decoding: line.prefix(20), as: UTF8.self)
        return AreaFeatures.clean(text, limit: 20) + (line.count > 20 ? "…" : "")
    }

    private static func newlines(in text: String) -> Int { text.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    private static func isLetter(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
    }
}
