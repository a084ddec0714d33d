import Geo
// MARK: - Limits checked before XMLParser sees a CAP document

extension CAPReader {
    /// Most attributes accepted on one element (namespace declarations included).
    ///
    /// CAP 1.2 elements carry no attributes at all, only `xmlns` declarations, so a handful would
    /// do. libxml2 (behind Foundation's `XMLParser`) checks each attribute of an element against the
    /// ones before it: a 3.6 MB alert with 340,000 attributes on `<alert>` took minutes to parse.
    public static let maxAttributesPerElement = 64

    /// Most `<area>` elements accepted in one alert (all `<info>` blocks together).
    ///
    /// Real alerts have a few, or a few dozen for a warning per county; identical areas repeated per
    /// language are compared with each other, so their number is kept bounded.
    public static let maxAreas = 1_000

    /// Refuses a document with an element holding more than ``maxAttributesPerElement``
    /// attributes, naming the element, its line and the limit.
    ///
    /// A single forward pass over the bytes: comments, CDATA sections, processing instructions and
    /// declarations are skipped, quoted attribute values are skipped whole, and each `=` between
    /// a start tag's name and its `>` counts one attribute.
    ///
    /// - Throws: ``GeoError`` `.parse` naming `name`, the line and the element.
    /// - Complexity: O(n) in the number of bytes.
    static func checkAttributeCounts(_ bytes: [UInt8], name: String) throws {
        var i = 0
        var line = 1
        /// Moves `i` past the next `terminator` (counting lines), or to the end.
        func skip(past terminator: [UInt8]) {
            while i < bytes.count {
                if bytes[i] == 0x0A { line += 1 }
                if bytes[i] == terminator[0], bytes[i...].starts(with: terminator) {
                    i += terminator.count
                    return
                }
                i += 1
            }
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A { line += 1 }
            guard b == UInt8(ascii: "<") else {
                i += 1
                continue
            }
            let rest = bytes[(i + 1)...]
            if rest.starts(with: Array("!--".utf8)) {
                skip(past: Array("-->".utf8))
            } else if rest.starts(with: Array("![CDATA[".utf8)) {
                skip(past: Array("]]>".utf8))
            } else if rest.starts(with: [UInt8(ascii: "?")]) {
                skip(past: Array("?>".utf8))
            } else if rest.first == UInt8(ascii: "!") || rest.first == UInt8(ascii: "/") {
                skip(past: [UInt8(ascii: ">")])
            } else {
                let tagLine = line
                let nameStart = i + 1
                i += 1
                while i < bytes.count, !isTagNameEnd(bytes[i]) { i += 1 }
                let element = String(decoding: bytes[nameStart..<i].prefix(40), as: UTF8.self)
                var attributes = 0
                while i < bytes.count, bytes[i] != UInt8(ascii: ">") {
                    let c = bytes[i]
                    if c == 0x0A { line += 1 }
                    if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                        i += 1
                        skip(past: [c])
                        continue
                    }
                    if c == UInt8(ascii: "=") {
                        attributes += 1
                        if attributes > maxAttributesPerElement {
                            throw GeoError(
                                .parse,
                                "\(name): line \(tagLine): element <\(AreaFeatures.clean(element, limit: 40))> has more "
                                    + "than \(maxAttributesPerElement) attributes; CAP elements carry none beyond "
                                    + "namespace declarations (limit \(maxAttributesPerElement) per element)")
                        }
                    }
                    i += 1
                }
                i += 1
            }
        }
    }

    private static func isTagNameEnd(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == UInt8(ascii: ">") || b == UInt8(ascii: "/")
    }
}
