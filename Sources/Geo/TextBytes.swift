import Foundation

/// Checks on the raw bytes of a text file before any parser, or C library, sees them.
///
/// A NUL byte ends a C string: GEOS's WKT reader, `strtod` (behind `Double(String)`) and libxml2
/// stop at it, so `52\0.9` reads as 52 and `POLYGON((…))\0POLYGON((…))` as one polygon. Text
/// input with a NUL byte anywhere is refused instead, naming where it is.
package enum TextBytes {
    /// The UTF-8 byte-order mark, EF BB BF, which Windows tools (Notepad, Excel, some GIS
    /// exports) write before UTF-8 text.
    package static let utf8BOM: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// `data` without a leading UTF-8 byte-order mark: the readers decide the format by the first
    /// character, and JSON, XML and WKT parsers would take the mark for content.
    package static func droppingBOM(_ data: Data) -> Data {
        data.starts(with: utf8BOM) ? Data(data.dropFirst(utf8BOM.count)) : data
    }

    /// The 1-based line and 0-based byte offset of the first NUL byte in `bytes`, if any.
    ///
    /// - Complexity: O(n) in the number of bytes.
    package static func firstNUL(in bytes: some Collection<UInt8>) -> (line: Int, offset: Int)? {
        var line = 1
        for (offset, byte) in bytes.enumerated() {
            if byte == 0 { return (line, offset) }
            if byte == 0x0A { line += 1 }
        }
        return nil
    }

    /// The refusal of a text file holding a NUL byte: `FILE: line L: byte O is a NUL byte …`.
    ///
    /// - Parameters:
    ///   - name: The file, as messages name it.
    ///   - what: What the file should be (`GeoJSON`, `WKT`, `CAP`).
    package static func nulMessage(_ name: String, line: Int, offset: Int, what: String) -> String {
        "\(name): line \(line): byte \(offset) is a NUL byte (0x00); \(what) is text and may not contain one "
            + "(is this a UTF-16 or binary file?)"
    }

    /// Throws ``GeoError`` `.parse` naming the file, the line and the byte offset of the first NUL
    /// byte in `bytes`, if there is one.
    package static func refuseNUL(in bytes: some Collection<UInt8>, name: String, what: String) throws {
        if let (line, offset) = firstNUL(in: bytes) {
            throw GeoError(.parse, nulMessage(name, line: line, offset: offset, what: what))
        }
    }
}
