import FanoutCore
import Foundation
import Geo

/// Reads RFC 4180 CSV from a file in fixed-size chunks, one record at a time.
///
/// Memory stays constant in the file size: only the current chunk and record are held.
/// Quoted fields may contain commas, doubled quotes and line breaks; `\r\n` and `\n` both end a
/// record. Blank lines are skipped.
struct CSVReader {
    /// One record with the 1-based line number where it starts.
    struct Record {
        var fields: [String]
        var line: Int
    }

    private let handle: FileHandle
    private let path: String
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEOF = false
    private var line = 1
    /// Bytes consumed so far, for progress reports.
    private(set) var bytesRead: UInt64 = 0
    private let chunkSize: Int

    /// The longest record read, in bytes: memory stays bounded even for a file without line ends
    /// (or with a quote that is never closed), which would otherwise be held whole as one record.
    static let maxRecordBytes = 1 << 20

    /// Opens `url` for reading.
    ///
    /// - Throws: ``RegistryError`` `.input` naming the file when it cannot be opened.
    init(url: URL, chunkSize: Int = 1 << 20) throws {
        path = url.path
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw RegistryError(.input, "\(url.path): cannot open for reading (\(error.localizedDescription))")
        }
        self.chunkSize = chunkSize
    }

    private mutating func fill() throws -> Bool {
        if atEOF { return false }
        let data: Data?
        do { data = try handle.read(upToCount: chunkSize) } catch {
            throw RegistryError(.input, "\(path): read failed (\(error.localizedDescription))")
        }
        guard let data, !data.isEmpty else {
            atEOF = true
            return false
        }
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        buffer.append(contentsOf: data)
        // A UTF-8 byte-order mark (Excel and other Windows tools write one) is not part of the header.
        let first = bytesRead == 0
        bytesRead += UInt64(data.count)
        if first, buffer.starts(with: TextBytes.utf8BOM) {
            position = TextBytes.utf8BOM.count
            // A file that is only the mark has nothing more to give from this chunk.
            if position == buffer.count { return try fill() }
        }
        return true
    }

    /// The 0-based offset in the file of the byte `back` bytes before the next one to be read.
    private func fileOffset(back: Int) -> UInt64 {
        bytesRead - UInt64(buffer.count - position) - UInt64(back)
    }

    private mutating func nextByte() throws -> UInt8? {
        if position == buffer.count {
            guard try fill() else { return nil }
        }
        let b = buffer[position]
        position += 1
        return b
    }

    private mutating func peekByte() throws -> UInt8? {
        if position == buffer.count {
            guard try fill() else { return nil }
        }
        return buffer[position]
    }

    /// The next non-blank record, or `nil` at the end of the file.
    ///
    /// - Throws: ``RegistryError`` `.input` for an unterminated quoted field, invalid UTF-8 or a NUL
    ///   byte (naming the line, the field and the byte offset).
    mutating func next() throws -> Record? {
        while true {
            let startLine = line
            var fields: [String] = []
            var field: [UInt8] = []
            var inQuotes = false
            var sawAnything = false
            var fieldWasQuoted = false
            var recordBytes = 0
            func finishField() throws {
                guard let s = String(validating: field, as: UTF8.self) else {
                    throw RegistryError(
                        .input, "\(path):\(startLine): field \(fields.count + 1) is not valid UTF-8",
                        location: ErrorLocation(input: path, line: startLine))
                }
                fields.append(s)
                field.removeAll(keepingCapacity: true)
                fieldWasQuoted = false
            }
            loop: while true {
                guard let b = try nextByte() else {
                    if inQuotes {
                        throw RegistryError(
                            .input, "\(path):\(startLine): quoted field is not closed before the end of the file",
                            location: ErrorLocation(input: path, line: startLine))
                    }
                    if !sawAnything { return nil }
                    break loop
                }
                sawAnything = true
                recordBytes += 1
                guard recordBytes <= Self.maxRecordBytes else {
                    throw RegistryError(
                        .input,
                        "\(path):\(startLine): a record longer than \(Self.maxRecordBytes) bytes "
                            + "(a quote that is never closed, or not a CSV file?)",
                            location: ErrorLocation(input: path, line: startLine))
                }
                // A NUL would cut the value short wherever it meets C (strtod reads `52\0.9` as 52).
                guard b != 0 else {
                    throw RegistryError(
                        .input,
                        "\(path):\(line): field \(fields.count + 1) holds a NUL byte (0x00) at byte \(fileOffset(back: 1)) "
                            + "of the file; CSV values must be text (is this a binary or UTF-16 file?)",
                            location: ErrorLocation(input: path, line: line))
                }
                if inQuotes {
                    if b == UInt8(ascii: "\"") {
                        if try peekByte() == UInt8(ascii: "\"") {
                            _ = try nextByte()
                            field.append(b)
                        } else {
                            inQuotes = false
                        }
                    } else {
                        if b == UInt8(ascii: "\n") { line += 1 }
                        field.append(b)
                    }
                    continue
                }
                switch b {
                case UInt8(ascii: ","):
                    try finishField()
                case UInt8(ascii: "\n"):
                    line += 1
                    break loop
                case UInt8(ascii: "\r"):
                    if try peekByte() == UInt8(ascii: "\n") {
                        _ = try nextByte()
                    }
                    line += 1
                    break loop
                case UInt8(ascii: "\"") where field.isEmpty && !fieldWasQuoted:
                    inQuotes = true
                    fieldWasQuoted = true
                default:
                    field.append(b)
                }
            }
            try finishField()
            if fields.count == 1 && fields[0].isEmpty { continue }  // blank line
            return Record(fields: fields, line: startLine)
        }
    }
}

extension String {
    /// The text without leading and trailing ASCII spaces and tabs.
    ///
    /// Much cheaper than Foundation's `trimmingCharacters(in:)` in the import's hot loop.
    var trimmedSpaces: Substring { self[...].trimmedSpaces }
}

extension Substring {
    /// The text without leading and trailing ASCII spaces and tabs.
    var trimmedSpaces: Substring {
        let u = utf8
        var start = u.startIndex
        var end = u.endIndex
        while start < end, u[start] == 0x20 || u[start] == 0x09 { start = u.index(after: start) }
        while end > start {
            let before = u.index(before: end)
            guard u[before] == 0x20 || u[before] == 0x09 else { break }
            end = before
        }
        return self[start..<end]
    }
}
