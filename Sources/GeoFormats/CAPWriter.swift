import Foundation
import Geo

/// Writes OASIS CAP 1.2 XML (namespace `urn:oasis:names:tc:emergency:cap:1.2`) for a
/// ``CAPMessage``, in the element order the CAP 1.2 schema requires.
///
/// All text is XML-escaped. Coordinates are written with Swift's shortest round-trip decimal
/// form (never an exponent), so ``CAPReader`` reads back exactly the same doubles.
public enum CAPWriter {
    /// The CAP 1.2 namespace.
    public static let namespace = "urn:oasis:names:tc:emergency:cap:1.2"

    /// The message as a CAP 1.2 document.
    ///
    /// - Throws: ``GeoError`` `.parse` for a message the schema or the CAP specification would
    ///   reject: an empty identifier or sender, one with spaces, commas, `<` or `&`; Update or
    ///   Cancel without references; an offset that is not whole minutes; no `<info>`; a bad
    ///   language tag; an area without geometry; a polygon ring that is not closed, has fewer
    ///   than 4 points or leaves the lon/lat range; a negative or non-finite radius.
    public static func xml(_ m: CAPMessage) throws -> String {
        try "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + alertElement(m, escaping: escape) + "\n"
    }

    /// The `<alert>` element alone, in its canonical form (Exclusive XML Canonicalization 1.0,
    /// without comments): no XML declaration, text escaped as canonical XML escapes it (`&`, `<`,
    /// `>` and carriage returns only), nothing after the end tag. What an XML signature over the
    /// whole message digests; a signed message is this text with the signature put in before
    /// `</alert>` (see `CAPSignature` in FanoutDesk).
    ///
    /// - Throws: as ``xml(_:)``.
    public static func canonicalAlert(_ m: CAPMessage) throws -> String {
        try alertElement(m, escaping: canonicalText)
    }

    private static func alertElement(_ m: CAPMessage, escaping escape: (String) -> String) throws -> String {
        try check(m)
        var x = "<alert xmlns=\"\(namespace)\">\n"
        func element(_ name: String, _ value: String, indent: Int) {
            x += String(repeating: "  ", count: indent) + "<\(name)>\(escape(value))</\(name)>\n"
        }
        element("identifier", m.identifier, indent: 1)
        element("sender", m.sender, indent: 1)
        element("sent", m.sentText, indent: 1)
        element("status", m.status.rawValue, indent: 1)
        element("msgType", m.msgType.rawValue, indent: 1)
        element("scope", m.scope.rawValue, indent: 1)
        if !m.references.isEmpty {
            element(
                "references", m.references.map { "\($0.sender),\($0.identifier),\($0.sent)" }.joined(separator: " "),
                indent: 1)
        }
        for info in m.infos {
            x += "  <info>\n"
            element("language", info.language, indent: 2)
            element("category", info.category.rawValue, indent: 2)
            element("event", info.event, indent: 2)
            element("urgency", info.urgency.rawValue, indent: 2)
            element("severity", info.severity.rawValue, indent: 2)
            element("certainty", info.certainty.rawValue, indent: 2)
            element("headline", info.headline, indent: 2)
            element("description", info.description, indent: 2)
            if let instruction = info.instruction { element("instruction", instruction, indent: 2) }
            if let web = info.web { element("web", web, indent: 2) }
            if let contact = info.contact { element("contact", contact, indent: 2) }
            for r in info.resources {
                x += "    <resource>\n"
                element("resourceDesc", r.description, indent: 3)
                element("mimeType", r.mimeType, indent: 3)
                element("uri", r.uri, indent: 3)
                x += "    </resource>\n"
            }
            for area in info.areas {
                x += "    <area>\n"
                element("areaDesc", area.areaDesc, indent: 3)
                for ring in area.polygons {
                    element(
                        "polygon", ring.map { "\(number($0.lat)),\(number($0.lon))" }.joined(separator: " "), indent: 3)
                }
                for c in area.circles {
                    element(
                        "circle", "\(number(c.center.lat)),\(number(c.center.lon)) \(number(c.radiusKm))", indent: 3)
                }
                x += "    </area>\n"
            }
            x += "  </info>\n"
        }
        x += "</alert>"
        return x
    }

    /// `2026-11-29T23:40:00+01:00`: the date in the given offset, seconds precision.
    public static func dateTime(_ date: Date, utcOffsetSeconds: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: utcOffsetSeconds) ?? TimeZone(identifier: "UTC") ?? .current
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ v: Int?) -> String { (v ?? 0) < 10 ? "0\(v ?? 0)" : "\(v ?? 0)" }
        let year = String(c.year ?? 0)
        let sign = utcOffsetSeconds < 0 ? "-" : "+"
        let minutes = abs(utcOffsetSeconds) / 60
        return "\(String(repeating: "0", count: max(0, 4 - year.count)))\(year)-\(two(c.month))-\(two(c.day))"
            + "T\(two(c.hour)):\(two(c.minute)):\(two(c.second))\(sign)\(two(minutes / 60)):\(two(minutes % 60))"
    }

    /// XML-escapes `&`, `<`, `>`, `"` and `'`.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Text escaped as canonical XML escapes a text node: `&`, `<`, `>` and carriage return.
    public static func canonicalText(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\r": out += "&#xD;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// The shortest decimal that reads back as `v`, without an exponent.
    static func number(_ v: Double) -> String {
        let s = "\(v)"
        guard s.contains("e") || s.contains("E") else { return s.hasSuffix(".0") ? String(s.dropLast(2)) : s }
        // Only tiny or huge magnitudes get an exponent; 17 significant digits always round-trip.
        var fixed = String(format: "%.20f", v)
        while fixed.hasSuffix("0") { fixed.removeLast() }
        if fixed.hasSuffix(".") { fixed.removeLast() }
        return fixed
    }

    // MARK: - Checks

    private static func check(_ m: CAPMessage) throws {
        func fail(_ s: String) -> GeoError { GeoError(.parse, "CAP: \(s)") }
        for (field, value) in [("identifier", m.identifier), ("sender", m.sender)] {
            guard !value.isEmpty else { throw fail("\(field) is empty") }
            if value.contains(where: { $0.isWhitespace || $0 == "," || $0 == "<" || $0 == "&" }) {
                throw fail("\(field) '\(value.prefix(60))' may not contain spaces, commas, '<' or '&'")
            }
        }
        guard m.utcOffsetSeconds % 60 == 0, abs(m.utcOffsetSeconds) < 24 * 3600 else {
            throw fail("UTC offset \(m.utcOffsetSeconds) s is not a whole number of minutes under 24 h")
        }
        if m.msgType != .alert && m.references.isEmpty {
            throw fail(
                "a \(m.msgType.rawValue) must name the message(s) it refers to (references sender,identifier,sent)")
        }
        for r in m.references {
            for part in [r.sender, r.identifier, r.sent]
            where part.isEmpty || part.contains(where: { $0.isWhitespace || $0 == "," }) {
                throw fail("reference part '\(part.prefix(60))' is empty or has a space or comma")
            }
        }
        guard !m.infos.isEmpty else { throw fail("no <info> (give at least one language)") }
        for (i, info) in m.infos.enumerated() {
            let place = "info \(i + 1) (\(info.language.prefix(20)))"
            guard isLanguageTag(info.language) else {
                throw fail("\(place): '\(info.language.prefix(40))' is not a language tag such as nl-NL")
            }
            for (field, value) in [("event", info.event), ("headline", info.headline)] where value.isEmpty {
                throw fail("\(place): \(field) is empty")
            }
            for (j, area) in info.areas.enumerated() {
                let at = "\(place), area \(j + 1)"
                guard !area.areaDesc.isEmpty else { throw fail("\(at): areaDesc is empty") }
                guard !area.polygons.isEmpty || !area.circles.isEmpty else {
                    throw fail("\(at): neither a polygon nor a circle")
                }
                for (k, ring) in area.polygons.enumerated() {
                    guard ring.count >= 4, ring.first == ring.last else {
                        throw fail("\(at), polygon \(k + 1): CAP needs a closed ring of at least 4 points")
                    }
                    if let bad = ring.firstIndex(where: { !$0.isInRange }) {
                        throw fail("\(at), polygon \(k + 1), point \(bad + 1): \(ring[bad]) is not a lon/lat position")
                    }
                }
                for (k, c) in area.circles.enumerated() {
                    guard c.center.isInRange, c.radiusKm.isFinite, c.radiusKm >= 0 else {
                        throw fail("\(at), circle \(k + 1): centre \(c.center) radius \(c.radiusKm) km is not valid")
                    }
                }
            }
        }
    }

    /// `xs:language`: `[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*`.
    static func isLanguageTag(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (1...8).contains(first.count), first.allSatisfy({ $0.isASCII && $0.isLetter })
        else { return false }
        return parts.dropFirst().allSatisfy { p in
            (1...8).contains(p.count) && p.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
    }
}
