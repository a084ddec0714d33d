import Foundation

/// A decoded JSON value; numbers and booleans stay apart (unlike `JSONSerialization` on Linux).
package enum JSONValue: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    /// A short description of a decoding error (the underlying parser message when there is one).
    package static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let ctx) = error {
            let underlying = (ctx.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? ctx.debugDescription
        }
        return "\(error)"
    }
}

extension JSONValue {
    /// The value as compact JSON text, object keys sorted.
    package var jsonText: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : "\(n)"
        case .string(let s): Self.quoted(s)
        case .array(let a): "[" + a.map(\.jsonText).joined(separator: ",") + "]"
        case .object(let o):
            "{" + o.keys.sorted().map { Self.quoted($0) + ":" + (o[$0]?.jsonText ?? "null") }.joined(separator: ",")
                + "}"
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters (and DEL) escaped (RFC 8259 §7).
    package static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

// MARK: - Where JSON text stops being JSON

extension JSONValue {
    /// Where `data` stops being JSON, and why, for a message: `line 2, column 8: invalid value`
    /// or `line 3: the text ends early (unexpected end of file)`; `nil` when it is JSON.
    ///
    /// `JSONDecoder`'s own error on Linux says only "The given data was not valid JSON";
    /// `JSONSerialization` gives the byte offset, turned here into a line and column (1-based,
    /// columns in bytes), so every reader of JSON (area files, the dispatcher configuration)
    /// names the place the same way.
    package static func syntaxError(in data: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            let bytes = [UInt8](data)
            if let range = reason.range(of: "around character "),
                let offset = Int(reason[range.upperBound...].prefix { $0.isNumber }), offset <= bytes.count
            {
                let before = bytes[..<offset]
                let line = before.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
                let column = offset - (before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0) + 1
                let what = reason[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                return "line \(line), column \(column): \(what.prefix(1).lowercased() + what.dropFirst())"
            }
            if reason.contains("end of file") {
                let lines = bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } + (bytes.last == 0x0A ? 0 : 1)
                return "line \(max(lines, 1)): the text ends early (unexpected end of file)"
            }
            return reason
        }
    }
}
