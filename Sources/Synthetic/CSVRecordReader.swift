/// Splits RFC 4180 CSV bytes into records of fields, tracking 1-based line numbers.
///
/// Accepts `\n` and `\r\n` line ends, quoted fields (which may hold commas, quotes doubled as `""`,
/// and line breaks) and a missing final line end.
struct CSVRecordReader {
    private let bytes: [UInt8]
    private var position = 0
    private var line = 1

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // Skip a UTF-8 byte order mark.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    /// The next record and the line it starts on, or `nil` at the end of the input.
    mutating func next(file: String?) throws -> (line: Int, fields: [String])? {
        guard position < bytes.count else { return nil }
        let startLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var wasQuoted = false
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            // A NUL would cut the value short where it meets C (strtod reads `52\0.9` as 52).
            guard byte != 0 else {
                throw SyntheticError(
                    .invalidPlaceTable,
                    "field \(fields.count + 1) holds a NUL byte (0x00) at byte \(position - 1) of the file; "
                        + "CSV values must be text", file: file, line: line)
            }
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if position < bytes.count && bytes[position] == UInt8(ascii: "\"") {
                        field.append(byte)
                        position += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                wasQuoted = false
            case UInt8(ascii: "\n"):
                line += 1
                fields.append(String(decoding: field, as: UTF8.self))
                return (startLine, fields)
            case UInt8(ascii: "\"") where field.isEmpty && !wasQuoted:
                quoted = true
                wasQuoted = true
            default:
                if byte == UInt8(ascii: "\r") && position < bytes.count && bytes[position] == UInt8(ascii: "\n") {
                    continue
                }
                if wasQuoted {
                    throw SyntheticError(
                        .invalidPlaceTable, "unexpected character after a closing quote", file: file, line: line,
                        field: nil)
                }
                field.append(byte)
            }
        }
        if quoted {
            throw SyntheticError(.invalidPlaceTable, "unterminated quoted field", file: file, line: startLine)
        }
        fields.append(String(decoding: field, as: UTF8.self))
        return (startLine, fields)
    }
}
