import FanoutCore
import Foundation
import Geo

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A circle from a CAP `<circle>`: centre in WGS84 and radius in kilometres (as CAP gives it).
public struct CAPCircle: Sendable, Equatable {
    /// The centre.
    public var center: LonLat
    /// The radius in kilometres (CAP's unit); may be 0 in real alerts.
    public var radiusKm: Double

    /// Creates a circle.
    public init(center: LonLat, radiusKm: Double) {
        self.center = center
        self.radiusKm = radiusKm
    }
}

/// One `<info>/<area>` of a CAP alert.
public struct CAPArea: Sendable, Equatable {
    /// The 1-based number of the `<info>` block it is in.
    public var info: Int
    /// The 1-based number of the `<area>` within its `<info>`.
    public var index: Int
    /// The `<areaDesc>` text (whitespace collapsed).
    public var areaDesc: String
    /// The `<polygon>` rings, as WGS84 lon/lat (swapped from CAP's lat,lon), closed.
    public var polygons: [[XY]]
    /// The `<circle>` elements.
    public var circles: [CAPCircle]

    /// "info 1, area 2", for messages.
    public var place: String { "info \(info), area \(index)" }
}

/// A CAP alert as far as the area reader needs it.
public struct CAPAlert: Sendable, Equatable {
    /// "1.2" or "1.1".
    public var version: String
    /// Every `<info>/<area>`, in document order.
    public var areas: [CAPArea]
}

/// Reads the areas of an OASIS CAP 1.2 (or 1.1) alert, safely.
///
/// Documents with a DOCTYPE or ENTITY declaration are refused before parsing (XXE protection);
/// external entities are never resolved; size, element nesting, attributes per element and the
/// number of areas are limited (see ``maxAttributesPerElement``, ``maxAreas``).
public enum CAPReader {
    /// Largest CAP document accepted, in bytes.
    public static let maxBytes = 4 << 20
    /// Deepest element nesting accepted.
    public static let maxDepth = 64
    /// The accepted namespaces and their CAP versions.
    public static let namespaces = [
        "urn:oasis:names:tc:emergency:cap:1.2": "1.2",
        "urn:oasis:names:tc:emergency:cap:1.1": "1.1",
    ]

    /// Parses a CAP document.
    ///
    /// - Throws: ``GeoError`` `.parse` naming the file, and the info/area/element at fault.
    public static func parse(_ data: Data, name: String) throws -> CAPAlert {
        let data = TextBytes.droppingBOM(data)
        guard data.count <= maxBytes else {
            throw GeoError(.parse, "\(name): \(data.count) bytes; CAP files are limited to \(maxBytes) bytes")
        }
        if data.starts(with: [0xFE, 0xFF]) || data.starts(with: [0xFF, 0xFE]) {
            throw GeoError(.parse, "\(name): only UTF-8 CAP documents are accepted")
        }
        // libxml2 reads C strings in places: a NUL byte would end a value early.
        try TextBytes.refuseNUL(in: data, name: name, what: "CAP")
        // Checked before XMLParser sees the bytes: swift-corelibs-foundation's XMLParser traps on
        // a comment that is not UTF-8 (found by tools/fuzz.sh).
        if let (line, offset) = invalidUTF8(data) {
            throw GeoError(
                .parse, "\(name): line \(line): byte \(offset) is not UTF-8; only UTF-8 CAP documents are accepted")
        }
        for marker in ["<!DOCTYPE", "<!ENTITY"] where contains(data, marker) {
            throw GeoError(
                .parse,
                "\(name): the document has a \(marker) declaration; DTDs and entities are not accepted (XXE protection)"
            )
        }
        // libxml2 compares each attribute with the ones before it: quadratic in their number.
        try checkAttributeCounts([UInt8](data), name: name)
        let handler = CAPHandler(name: name)
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.delegate = handler
        let ok = parser.parse()
        // XMLParser on Linux can return true after libxml2 reported an error: the delegate's
        // record of the first error decides, with the line and column libxml2 was at (an error
        // of the handler's own, about a value, came first when it is set: parsing stopped there).
        let endsInside = "\(name): line \(lastLine(data)): not well-formed XML: the document ends inside "
        if let xml = handler.xmlError {
            // libxml2 calls a document that stops early "extra content" (5) or an unfinished tag
            // (77), at a line that depends on the last line break: the file's last line is said.
            if [5, 77].contains(xml.code), !handler.path.isEmpty {
                throw GeoError(.parse, endsInside + "<\(handler.path.joined(separator: "/"))>")
            }
            throw GeoError(
                .parse, "\(name): line \(xml.line), column \(xml.column): not well-formed XML: \(xml.reason)")
        }
        if let error = handler.error { throw error }
        guard ok else {
            let code = parser.parserError.map { ($0 as NSError).code } ?? 1
            throw GeoError(.parse, "\(name): not well-formed XML: \(XMLError.reason(code: code))")
        }
        // XMLParser on Linux can report success on a truncated document: check that every element closed.
        if !handler.path.isEmpty {
            throw GeoError(.parse, endsInside + "<\(handler.path.joined(separator: "/"))>")
        }
        guard let version = handler.version else {
            throw GeoError(.parse, "\(name): no CAP <alert> element found")
        }
        return CAPAlert(version: version, areas: handler.areas)
    }

    /// What to say about a CAP circle given where a polygon is needed (``circleRemedy(_:)`` is the
    /// same as data).
    package static func circleAdvice(_ c: CAPCircle) -> String {
        let at = "\(c.center.lon),\(c.center.lat)"
        guard c.radiusKm > 0 else {
            return "a CAP <circle> with radius 0 km; a radius must be > 0. "
                + "Choose one and select a circle around lon,lat \(at) instead"
        }
        let metres = (c.radiusKm * 1000).rounded()
        return "a CAP <circle> (\(c.radiusKm) km), not a polygon; select a circle around lon,lat \(at) with radius "
            + "\(Int(metres)) m instead"
    }

    /// Selecting `c` as a circle: its centre and its radius in whole metres (`nil` for radius 0).
    static func circleRemedy(_ c: CAPCircle) -> ErrorRemedy {
        .selectCircle(
            lon: c.center.lon, lat: c.center.lat, radiusMeters: c.radiusKm > 0 ? (c.radiusKm * 1000).rounded() : nil)
    }

    package static func describe(_ a: CAPArea) -> String {
        var parts = a.polygons.map { "polygon (\(PlanarPolygon.distinct($0).count) vertices)" }
        parts += a.circles.map {
            "circle around lon,lat \($0.center.lon),\($0.center.lat), radius \(Int(($0.radiusKm * 1000).rounded())) m"
        }
        return parts.isEmpty ? "no geometry" : parts.joined(separator: "; ")
    }

    static func short(_ s: String) -> String { s.count > 60 ? String(s.prefix(57)) + "..." : s }

    /// The number of the file's last line: its line breaks, plus one when text follows the last.
    static func lastLine(_ data: Data) -> Int {
        data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } + (data.last == 0x0A ? 0 : 1)
    }

    /// The 1-based line and 0-based byte offset of the first byte sequence that is not UTF-8, if any.
    static func invalidUTF8(_ data: Data) -> (line: Int, offset: Int)? {
        var parser = Unicode.UTF8.ForwardParser()
        var bytes = data.makeIterator()
        var offset = 0
        var line = 1
        while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let scalar):
                if scalar.count == 1 && scalar.first == 0x0A { line += 1 }
                offset += scalar.count
            case .emptyInput: return nil
            case .error: return (line, offset)
            }
        }
    }

    /// The largest CAP circle radius accepted: half the Earth's circumference, in km.
    public static let maxRadiusKm = 20_038.0

    /// Whether `data` contains the ASCII `marker`, ignoring case.
    static func contains(_ data: Data, _ marker: String) -> Bool {
        let m = Array(marker.uppercased().utf8)
        let bytes = [UInt8](data)
        guard bytes.count >= m.count else { return false }
        outer: for i in 0...(bytes.count - m.count) where bytes[i] == m[0] {
            for j in 1..<m.count {
                var b = bytes[i + j]
                if b >= 0x61 && b <= 0x7A { b -= 0x20 }
                if b != m[j] { continue outer }
            }
            return true
        }
        return false
    }
}

/// The XMLParser delegate: tracks the element path and collects area text.
private final class CAPHandler: NSObject, XMLParserDelegate {
    let name: String
    var error: GeoError?
    var xmlError: CAPReader.XMLError?
    var version: String?
    /// The line of the current element's start tag (its `>`), where its text begins.
    var elementLine = 0
    var areas: [CAPArea] = []
    var path: [String] = []
    var infoCount = 0
    var areaCount = 0
    var totalAreas = 0
    var text = ""
    var current: CAPArea?

    init(name: String) { self.name = name }

    func fail(_ parser: XMLParser, _ e: GeoError) {
        if error == nil { error = e }
        parser.abortParsing()
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        guard error == nil else { return }
        if path.isEmpty {
            guard elementName == "alert", let v = namespaceURI.flatMap({ CAPReader.namespaces[$0] }) else {
                let ns = namespaceURI.map { " in namespace '\($0)'" } ?? " without a namespace"
                fail(
                    parser,
                    GeoError(
                        .parse,
                        "\(name): root element <\(elementName)>\(ns) is not a CAP alert "
                            + "(expected <alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"> or cap:1.1)"))
                return
            }
            version = v
        }
        path.append(elementName)
        guard path.count <= CAPReader.maxDepth else {
            fail(parser, GeoError(.parse, "\(name): elements nested deeper than \(CAPReader.maxDepth)"))
            return
        }
        text = ""
        elementLine = parser.lineNumber
        let capNS = namespaceURI.map { CAPReader.namespaces[$0] != nil } ?? false
        guard capNS else { return }
        if path == ["alert", "info"] {
            infoCount += 1
            areaCount = 0
        } else if path == ["alert", "info", "area"] {
            areaCount += 1
            totalAreas += 1
            guard totalAreas <= CAPReader.maxAreas else {
                fail(
                    parser,
                    GeoError(
                        .parse,
                        "\(name): line \(parser.lineNumber): more than \(CAPReader.maxAreas) <area> elements in the "
                            + "alert (limit \(CAPReader.maxAreas))"))
                return
            }
            current = CAPArea(info: infoCount, index: areaCount, areaDesc: "", polygons: [], circles: [])
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard error == nil else { return }
        guard text.utf8.count + string.utf8.count <= CAPReader.maxBytes else { return }
        text += string
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
    ) {
        guard error == nil else { return }
        defer {
            path.removeLast()
            text = ""
        }
        guard path.count >= 3, path[0] == "alert", path[1] == "info", path[2] == "area", var area = current else {
            return
        }
        do {
            switch path.count == 4 ? path[3] : "" {
            case "areaDesc":
                area.areaDesc = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            case "polygon":
                let place = "\(area.place), polygon \(area.polygons.count + 1)"
                area.polygons.append(try CAPReader.polygon(text, name: name, place: place, line: elementLine))
            case "circle":
                let place = "\(name): line \(elementLine): \(area.place), circle \(area.circles.count + 1)"
                area.circles.append(try CAPReader.circle(text, place: place))
            default:
                if path.count == 3 {
                    areas.append(area)
                    current = nil
                    return
                }
            }
            current = area
        } catch let e as GeoError {
            fail(parser, e)
        } catch {
            fail(parser, GeoError(.parse, "\(name): \(error)"))
        }
    }

    /// libxml2's first error, with the line and column where it found it: read here, while the
    /// parser is still there (after `parse()` returns, `lineNumber` is the end of the document).
    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        guard error == nil, xmlError == nil else { return }
        xmlError = CAPReader.XMLError(
            line: parser.lineNumber, column: parser.columnNumber, code: (parseError as NSError).code)
    }

    func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? { nil }

    func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
        fail(parser, GeoError(.parse, "\(self.name): DTDs and entities are not accepted (XXE protection)"))
    }

    func parser(
        _ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?
    ) {
        fail(parser, GeoError(.parse, "\(self.name): DTDs and entities are not accepted (XXE protection)"))
    }
}
