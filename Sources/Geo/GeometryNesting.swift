/// How deeply WKT and WKB may nest before GEOS reads them.
///
/// GEOS's WKT and WKB readers recurse once per nesting level: 60,000 nested `GEOMETRYCOLLECTION(`
/// in a WKT file and 200,000 nested collections in a GeoPackage's WKB overflowed the stack (found
/// while fuzzing the readers). An area needs 3 levels (a MultiPolygon's rings), a collection of
/// them 4; anything deeper than ``maxDepth`` is refused before GEOS sees it.
enum GeometryNesting {
    /// The deepest nesting read: parentheses in WKT, collections in WKB.
    static let maxDepth = 32

    /// The byte offset of the first WKT parenthesis nested deeper than ``maxDepth``, if any.
    ///
    /// - Complexity: O(n) in the length of the text.
    static func wktExcess(_ text: String) -> Int? {
        var depth = 0
        for (offset, byte) in text.utf8.enumerated() {
            if byte == UInt8(ascii: "(") {
                depth += 1
                if depth > maxDepth { return offset }
            } else if byte == UInt8(ascii: ")") {
                depth -= 1
            }
        }
        return nil
    }

    /// The byte offset of the first WKB geometry nested deeper than ``maxDepth``, if any.
    ///
    /// Walks the headers (ISO and EWKB type codes, either byte order); input it cannot follow
    /// (unknown types, too short) is left to GEOS, which reports it.
    ///
    /// - Complexity: O(n) in the number of bytes.
    static func wkbExcess(_ bytes: [UInt8]) -> Int? {
        var reader = WKBWalker(bytes: bytes)
        if case .tooDeep(let offset) = reader.geometry(depth: 1) { return offset }
        return nil
    }
}

/// A forward walk over WKB headers and counts, without reading coordinates.
private struct WKBWalker {
    enum Outcome { case ok, tooDeep(Int), cannotFollow }

    let bytes: [UInt8]
    var at = 0

    mutating func u32(littleEndian: Bool) -> UInt32? {
        guard at + 4 <= bytes.count else { return nil }
        let b = bytes[at..<at + 4]
        at += 4
        let le = b.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return littleEndian ? le : le.byteSwapped
    }

    mutating func skip(_ count: UInt32, of size: Int) -> Bool {
        let (total, overflow) = Int(count).multipliedReportingOverflow(by: size)
        guard !overflow, total <= bytes.count - at else { return false }
        at += total
        return true
    }

    mutating func geometry(depth: Int) -> Outcome {
        guard depth <= GeometryNesting.maxDepth else { return .tooDeep(at) }
        guard at < bytes.count, bytes[at] <= 1 else { return .cannotFollow }
        let littleEndian = bytes[at] == 1
        at += 1
        guard let raw = u32(littleEndian: littleEndian) else { return .cannotFollow }
        if raw & 0x2000_0000 != 0 { at += 4 }  // EWKB SRID
        let base = raw & 0x0FFF_FFFF
        let iso = base / 1000  // 1 Z, 2 M, 3 ZM
        let z = raw & 0x8000_0000 != 0 || iso == 1 || iso == 3
        let m = raw & 0x4000_0000 != 0 || iso == 2 || iso == 3
        let point = 8 * (2 + (z ? 1 : 0) + (m ? 1 : 0))
        switch base % 1000 {
        case 1:
            return skip(1, of: point) ? .ok : .cannotFollow
        case 2:
            guard let n = u32(littleEndian: littleEndian), skip(n, of: point) else { return .cannotFollow }
            return .ok
        case 3:
            guard let rings = u32(littleEndian: littleEndian) else { return .cannotFollow }
            for _ in 0..<rings {
                guard let n = u32(littleEndian: littleEndian), skip(n, of: point) else { return .cannotFollow }
            }
            return .ok
        case 4, 5, 6, 7:
            guard let parts = u32(littleEndian: littleEndian) else { return .cannotFollow }
            for _ in 0..<parts {
                let outcome = geometry(depth: depth + 1)
                guard case .ok = outcome else { return outcome }
            }
            return .ok
        default:
            return .cannotFollow
        }
    }
}
