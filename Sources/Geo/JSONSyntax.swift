import Foundation

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
