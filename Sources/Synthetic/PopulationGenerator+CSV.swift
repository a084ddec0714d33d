import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension PopulationGenerator {
    /// Writes a synthetic population as CSV, atomically.
    ///
    /// The file has the header `id,lon,lat,country,phone,email,language` and one participant per line,
    /// in the row order of ``generate(count:_:)``; lon/lat have 6 decimals, a missing e-mail is an empty
    /// field. The rows are written to a temporary file in the same directory, which is renamed over `url`
    /// only when complete; on any error the temporary file is removed and `url` is left as it was.
    ///
    /// - Parameters:
    ///   - count: The number of participants, 0 to ``PopulationGenerator/maxCount``.
    ///   - seed: The PRNG seed; the same seed and count give byte-identical files.
    ///   - places: The places to cluster around (not empty), usually ``PlaceTable/load()``.
    ///   - countries: The lookup that gives each participant the country of its position.
    ///   - url: The destination file.
    ///   - progress: Called with the number of rows written so far after every flushed megabyte and once
    ///     at the end with `count`.
    /// - Throws: ``SyntheticError`` with code `invalidArgument` (before anything is written) or `io`.
    /// - Complexity: O(count); memory stays O(places.count) plus a 1 MB buffer.
    public static func writeCSV(
        count: Int, seed: UInt64, places: [Place], countries: CountryOfPosition, to url: URL,
        progress: ((Int) -> Void)?
    ) throws {
        try writeCancellableCSV(count: count, seed: seed, places: places, countries: countries, to: url) {
            progress?($0)
        }
    }

    /// Writes a synthetic population as CSV, atomically, with a checkpoint that can cancel the write.
    ///
    /// Like ``writeCSV(count:seed:places:countries:to:progress:)``, but `checkpoint` may throw: the error cancels
    /// the write, removes the temporary file, leaves `url` as it was and is rethrown unchanged.
    /// `checkpoint` is called when `progress` would be.
    package static func writeCancellableCSV(
        count: Int, seed: UInt64, places: [Place], countries: CountryOfPosition, to url: URL,
        checkpoint: (Int) throws -> Void
    ) throws {
        try validate(count: count, places: places, countries: countries)
        let generator = PopulationGenerator(places: places, countries: countries, seed: seed)
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SyntheticError(.io, "cannot create \(temporary.path): \(errnoMessage())", file: temporary.path)
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        var closed = false
        do {
            var sink = CSVByteSink()
            try sink.write(
                generator: generator, count: count, output: { try handle.write(contentsOf: $0) }, checkpoint: checkpoint
            )
            try handle.synchronize()
            try handle.close()
            closed = true
            guard rename(temporary.path, url.path) == 0 else {
                throw SyntheticError(
                    .io, "cannot rename \(temporary.path) to \(url.path): \(errnoMessage())", file: url.path)
            }
        } catch {
            if !closed { try? handle.close() }
            unlink(temporary.path)
            if error is SyntheticError { throw error }
            if let cancelled = error as? CheckpointError { throw cancelled.underlying }
            throw SyntheticError(.io, "cannot write \(temporary.path): \(error)", file: temporary.path)
        }
    }
}

extension PopulationGenerator {
    /// Writes a synthetic population as CSV into `output`, a megabyte at a time.
    ///
    /// The same bytes as ``writeCSV(count:seed:places:countries:to:progress:)``, for a caller that owns the
    /// file (a checked output, a FIFO, standard output).
    ///
    /// - Parameters:
    ///   - output: Takes each chunk of bytes, in order; what it throws stops the write and is rethrown.
    ///   - progress: Called with the number of rows written so far after every chunk.
    /// - Throws: ``SyntheticError`` with code `invalidArgument` (before anything is written), or
    ///   what `output` throws.
    /// - Complexity: O(count); memory stays O(places.count) plus a 1 MB buffer.
    public static func writeCSV(
        count: Int, seed: UInt64, places: [Place], countries: CountryOfPosition, progress: ((Int) -> Void)?,
        into output: (ArraySlice<UInt8>) throws -> Void
    ) throws {
        try validate(count: count, places: places, countries: countries)
        var sink = CSVByteSink()
        try sink.write(
            generator: PopulationGenerator(places: places, countries: countries, seed: seed), count: count,
            output: output,
            checkpoint: { progress?($0) })
    }

    /// Refuses a negative count, and places or lookup codes without a proper country code.
    static func validate(count: Int, places: [Place], countries: CountryOfPosition) throws {
        guard count >= 0 && count <= PopulationGenerator.maxCount else {
            throw SyntheticError(
                .invalidArgument, "count must be 0 to \(PopulationGenerator.maxCount), got \(count)", field: "count")
        }
        guard !places.isEmpty else {
            throw SyntheticError(.invalidArgument, "no places to generate participants around", field: "places")
        }
        for place in places where !(place.country.utf8.count == 2 && place.country.utf8.allSatisfy(isUpperASCII)) {
            throw SyntheticError(
                .invalidArgument, "place \"\(place.name)\" has country \"\(place.country)\", not two capital letters",
                field: "country")
        }
        for code in countries.codes where !(code.utf8.count == 2 && code.utf8.allSatisfy(isUpperASCII)) {
            throw SyntheticError(
                .invalidArgument, "the country lookup answers \"\(code)\", not two capital letters", field: "country")
        }
    }
}

private func isUpperASCII(_ byte: UInt8) -> Bool { byte >= 65 && byte <= 90 }

private func errnoMessage() -> String { String(cString: strerror(errno)) }

/// Wraps an error thrown by a caller's checkpoint, so it is rethrown unchanged rather than as I/O.
struct CheckpointError: Error {
    let underlying: any Error
}

// MARK: - Byte sink

/// Formats raw rows into a reusable byte buffer and hands it to an output every megabyte.
struct CSVByteSink {
    static let flushThreshold = 1 << 20
    private var buffer: [UInt8] = []

    init() {
        buffer.reserveCapacity(Self.flushThreshold + 256)
    }

    mutating func write(
        generator: PopulationGenerator, count: Int, output: (ArraySlice<UInt8>) throws -> Void,
        checkpoint: (Int) throws -> Void
    ) throws {
        append("id,lon,lat,country,phone,email,language\n")
        let countries = generator.countries.map { Array($0.utf8) }
        let domains = generator.countries.map { Array(("@" + PopulationGenerator.emailDomain(country: $0)).utf8) }
        let languages = [Language.nl, .fr, .de, .en].map { Array($0.code.utf8) }
        var written = 0
        try generator.generateRows(count: count) { row in
            appendInteger(UInt64(row.id))
            buffer.append(UInt8(ascii: ","))
            appendFixed6(row.lonMicro)
            buffer.append(UInt8(ascii: ","))
            appendFixed6(row.latMicro)
            buffer.append(UInt8(ascii: ","))
            buffer.append(contentsOf: countries[Int(row.country)])
            append(",+316")
            appendDigits8(row.phoneDigits)
            buffer.append(UInt8(ascii: ","))
            if row.hasEmail {
                buffer.append(UInt8(ascii: "p"))
                appendInteger(UInt64(row.id))
                buffer.append(contentsOf: domains[Int(row.country)])
            }
            buffer.append(UInt8(ascii: ","))
            buffer.append(contentsOf: languages[Int(row.language.rawValue)])
            buffer.append(UInt8(ascii: "\n"))
            written += 1
            if buffer.count >= Self.flushThreshold {
                try flush(output)
                do { try checkpoint(written) } catch { throw CheckpointError(underlying: error) }
            }
        }
        try flush(output)
        do { try checkpoint(written) } catch { throw CheckpointError(underlying: error) }
    }

    private mutating func flush(_ output: (ArraySlice<UInt8>) throws -> Void) throws {
        guard !buffer.isEmpty else { return }
        try output(buffer[...])
        buffer.removeAll(keepingCapacity: true)
    }

    // MARK: Number formatting

    @inline(__always)
    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    /// Appends the decimal digits of `value`.
    @inline(__always)
    mutating func appendInteger(_ value: UInt64) {
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes of scratch space
        withUnsafeMutableBytes(of: &digits) { scratch in
            var v = value
            var i = scratch.count
            repeat {
                i -= 1
                scratch[i] = UInt8(truncatingIfNeeded: v % 10) &+ 48
                v /= 10
            } while v != 0
            buffer.append(contentsOf: scratch[i...])
        }
    }

    /// Appends `micro / 1e6` with exactly 6 decimals (`-4.000001`, `0.000000`, `52.373100`).
    @inline(__always)
    mutating func appendFixed6(_ micro: Int64) {
        if micro < 0 { buffer.append(UInt8(ascii: "-")) }
        let magnitude = micro.magnitude
        appendInteger(magnitude / 1_000_000)
        buffer.append(UInt8(ascii: "."))
        var fraction = magnitude % 1_000_000
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { scratch in
            for i in stride(from: 5, through: 0, by: -1) {
                scratch[i] = UInt8(truncatingIfNeeded: fraction % 10) &+ 48
                fraction /= 10
            }
            buffer.append(contentsOf: scratch)
        }
    }

    /// Appends `value` (below 10^8) as exactly 8 digits, zero-padded.
    @inline(__always)
    mutating func appendDigits8(_ value: UInt32) {
        var v = value
        var digits: UInt64 = 0
        withUnsafeMutableBytes(of: &digits) { scratch in
            for i in stride(from: 7, through: 0, by: -1) {
                scratch[i] = UInt8(truncatingIfNeeded: v % 10) &+ 48
                v /= 10
            }
            buffer.append(contentsOf: scratch)
        }
    }
}
