import Foundation

/// Random and mutated inputs for the readers' robustness tests: a small seeded mutator in the
/// manner of libFuzzer's, over the seed corpora and dictionaries in `tools/fuzz/`.
///
/// Input number `i` of a run depends only on the run's seed and `i`, so a failure reported as
/// "seed S, input i" reproduces whatever the time budget was.
public struct InputMutator: Sendable {
    /// The inputs mutations start from.
    public let seeds: [[UInt8]]
    /// Format tokens inserted whole (a libFuzzer dictionary's entries).
    public let tokens: [[UInt8]]
    /// Tokens that open a nesting level (`[`, `<a>`, `(`), repeated to nest deeply.
    public let openers: [[UInt8]]

    /// Creates a mutator.
    public init(seeds: [[UInt8]], tokens: [[UInt8]], openers: [[UInt8]]) {
        precondition(!seeds.isEmpty, "a mutator needs at least one seed")
        self.seeds = seeds
        self.tokens = tokens.isEmpty ? [[0x20]] : tokens
        self.openers = openers.isEmpty ? [[0x28]] : openers
    }

    /// Loads the seeds of `tools/fuzz/corpus/<corpus>` and the tokens of `tools/fuzz/dict/<dict>.dict`.
    public init(corpus: String, dictionary: String, openers: [String]) throws {
        let root = Fixtures.packageRoot.appendingPathComponent("tools/fuzz")
        let dir = root.appendingPathComponent("corpus/\(corpus)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        let seeds = try files.map { [UInt8](try Data(contentsOf: dir.appendingPathComponent($0))) }
        let dict = try String(contentsOf: root.appendingPathComponent("dict/\(dictionary).dict"), encoding: .utf8)
        self.init(seeds: seeds, tokens: Self.parseDictionary(dict), openers: openers.map { Array($0.utf8) })
    }

    /// The entries of a libFuzzer dictionary: one `"..."` per line, with `\\`, `\"` and `\xNN` escapes.
    public static func parseDictionary(_ text: String) -> [[UInt8]] {
        text.split(whereSeparator: \.isNewline).compactMap { line -> [UInt8]? in
            let bytes = Array(line.utf8)
            guard let open = bytes.firstIndex(of: 0x22), let close = bytes.lastIndex(of: 0x22), close > open,
                bytes.first != UInt8(ascii: "#")
            else { return nil }
            var out: [UInt8] = []
            var i = open + 1
            while i < close {
                if bytes[i] == UInt8(ascii: "\\"), i + 1 < close {
                    if bytes[i + 1] == UInt8(ascii: "x"), i + 3 < close,
                        let v = UInt8(String(decoding: bytes[(i + 2)...(i + 3)], as: UTF8.self), radix: 16)
                    {
                        out.append(v)
                        i += 4
                        continue
                    }
                    out.append(bytes[i + 1])
                    i += 2
                    continue
                }
                out.append(bytes[i])
                i += 1
            }
            return out
        }
    }

    /// Numbers that break naive parsers: out of range, denormal, signed zero, not a number.
    static let extremeNumbers = [
        "1e309", "-1e309", "1e-400", "4.9e-324", "-0", "99999999999999999999", "1.7976931348623157e308", "NaN",
        "Infinity", "-inf", "0x1p3", "1e", "--1", ".", "00000000000000000000001", "1e99999",
    ].map { Array($0.utf8) }
    /// Bytes that are not UTF-8: a lone continuation byte, an overlong NUL, a surrogate, 0xFF.
    static let invalidUTF8: [[UInt8]] = [
        [0x80], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xFF], [0xC3], [0xF4, 0x90, 0x80, 0x80],
    ]
    static let interestingBytes: [UInt8] = [
        0, 0x09, 0x0A, 0x0D, 0x20, 0x22, 0x2C, 0x2D, 0x2E, 0x30, 0x39, 0x3C, 0x3E, 0x5B, 0x5D, 0x7B, 0x7D, 0x7F, 0x80,
        0xFF,
    ]

    /// The longest input made (as tools/fuzz.sh's `-max_len`).
    public static let maxLength = 65_536

    /// Input number `iteration` of the run seeded with `seed`.
    public func input(seed: UInt64, iteration: Int) -> [UInt8] {
        var rng = SeededRandom(seed: seed ^ (UInt64(iteration) &* 0x9E37_79B9_7F4A_7C15))
        if iteration % 25 == 24 {
            // Now and then pure noise, of any length up to 4 KB.
            let n = Int.random(in: 0...4096, using: &rng)
            return (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
        }
        var bytes = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
        // One mutation half the time (more inputs stay close enough to be accepted), else up to four.
        let count = Bool.random(using: &rng) ? 1 : Int.random(in: 2...4, using: &rng)
        for _ in 0..<count { mutate(&bytes, using: &rng) }
        // libFuzzer's -max_len in tools/fuzz.sh: longer inputs only cost time.
        return Array(bytes.prefix(Self.maxLength))
    }

    /// Applies one random mutation.
    func mutate(_ b: inout [UInt8], using rng: inout SeededRandom) {
        func position() -> Int { Int.random(in: 0...b.count, using: &rng) }
        func range() -> Range<Int> {
            let start = Int.random(in: 0...b.count, using: &rng)
            return start..<min(b.count, start + Int.random(in: 0...64, using: &rng))
        }
        switch Int.random(in: 0..<16, using: &rng) {
        case 0 where !b.isEmpty:  // flip a bit
            b[Int.random(in: 0..<b.count, using: &rng)] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
        case 1 where !b.isEmpty:  // an interesting byte
            b[Int.random(in: 0..<b.count, using: &rng)] = Self.interestingBytes.randomElement(using: &rng) ?? 0
        case 2: b.removeSubrange(range())  // delete a run
        case 3:  // duplicate a run
            let r = range()
            b.insert(contentsOf: Array(b[r]), at: position())
        case 4: b.insert(contentsOf: tokens.randomElement(using: &rng) ?? [], at: position())
        case 5: b.removeSubrange(position()..<b.count)  // truncate
        case 6: b.insert(0, at: position())  // NUL
        case 7: b.insert(contentsOf: [0xEF, 0xBB, 0xBF], at: 0)  // byte order mark
        case 8:  // line ends: CRLF or bare CR
            let replacement: [UInt8] = Bool.random(using: &rng) ? [0x0D, 0x0A] : [0x0D]
            b = b.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
                .joined(separator: replacement).map { $0 }
        case 9: b.insert(contentsOf: Self.invalidUTF8.randomElement(using: &rng) ?? [], at: position())
        case 10:  // replace a number with an extreme one
            let digits = b.indices.filter { (0x30...0x39).contains(b[$0]) }
            guard let at = digits.randomElement(using: &rng) else { return }
            var end = at
            while end < b.count, (0x30...0x39).contains(b[end]) || b[end] == 0x2E { end += 1 }
            b.replaceSubrange(at..<end, with: Self.extremeNumbers.randomElement(using: &rng) ?? [])
        case 11:  // deep nesting
            let opener = openers.randomElement(using: &rng) ?? [0x28]
            let n = Int.random(in: 64...5_000, using: &rng)
            b.insert(contentsOf: Array(repeating: opener, count: n).joined(), at: position())
        case 12:  // a very long line
            let chunk = b.isEmpty ? [UInt8(ascii: "9")] : Array(b[range()].prefix(8))
            let n = Int.random(in: 1_000...60_000, using: &rng) / max(1, chunk.count)
            b.insert(contentsOf: Array(repeating: chunk.isEmpty ? [0x41] : chunk, count: n).joined(), at: position())
        case 13:  // splice with another seed
            let other = seeds.randomElement(using: &rng) ?? []
            let cut = Int.random(in: 0...other.count, using: &rng)
            b = Array(b[..<min(b.count, position())]) + other[cut...]
        case 14:  // remove a token: from one delimiter to the next
            let delimiters: Set<UInt8> = [0x20, 0x2C, 0x0A, 0x3C, 0x3E, 0x5B, 0x5D, 0x7B, 0x7D, 0x22, 0x28, 0x29, 0x3A]
            let cuts = b.indices.filter { delimiters.contains(b[$0]) }
            guard cuts.count >= 2 else { return }
            let k = Int.random(in: 0..<(cuts.count - 1), using: &rng)
            b.removeSubrange(cuts[k]..<cuts[k + 1])
        default:  // a random byte inserted
            b.insert(UInt8.random(in: 0...255, using: &rng), at: position())
        }
    }
}

/// Runs a reader on mutated inputs for a fixed time and reports the first broken property.
public enum FuzzRun {
    /// Seconds per reader: `FANOUT_FUZZ_SECONDS`, else 2.
    public static var seconds: Double {
        ProcessInfo.processInfo.environment["FANOUT_FUZZ_SECONDS"].flatMap(Double.init) ?? 2
    }

    /// The run's seed: `FANOUT_FUZZ_SEED`, else a fixed one per reader (so CI is repeatable).
    public static func seed(for label: String) -> UInt64 {
        if let s = ProcessInfo.processInfo.environment["FANOUT_FUZZ_SEED"].flatMap(UInt64.init) { return s }
        return label.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }  // FNV-1a
    }

    /// What a run did.
    public struct Outcome: CustomStringConvertible, Sendable {
        /// The reader's label.
        public var label: String
        /// The seed (set `FANOUT_FUZZ_SEED` to it to replay).
        public var seed: UInt64
        /// Inputs tried.
        public var inputs: Int
        /// Inputs the reader accepted.
        public var accepted: Int
        /// The first broken property, the input number and where the input was saved.
        public var failure: String?

        public var description: String {
            "\(label): seed \(seed), \(inputs) inputs, \(accepted) accepted"
                + (failure.map { "; FAILED: \($0) (replay: FANOUT_FUZZ_SEED=\(seed))" } ?? "")
        }
    }

    /// Calls `check` with mutated inputs until `seconds` have passed.
    ///
    /// - Parameter check: Runs the reader on one input; returns `true` when it accepted the
    ///   input, `false` when it refused it properly, or throws a description of a broken property.
    public static func run(
        _ label: String, mutator: InputMutator, seconds: Double = seconds, check: ([UInt8]) throws -> Bool
    ) -> Outcome {
        let seed = seed(for: label)
        var outcome = Outcome(label: label, seed: seed, inputs: 0, accepted: 0)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let input = mutator.input(seed: seed, iteration: outcome.inputs)
            do {
                if try check(input) { outcome.accepted += 1 }
            } catch {
                outcome.failure =
                    "input \(outcome.inputs): \(error); " + save(input, label: label, iteration: outcome.inputs)
                return outcome
            }
            outcome.inputs += 1
        }
        print("fuzz \(outcome)")  // the seed, for replaying
        return outcome
    }

    /// Runs `check` on every prefix of some small seeds (truncation at each length).
    ///
    /// - Parameters:
    ///   - maxSeedBytes: Only seeds up to this long are cut.
    ///   - maxSeeds: At most this many of them, spread over the corpus (its order is by name).
    public static func prefixes(
        _ label: String, mutator: InputMutator, maxSeedBytes: Int = 4096, maxSeeds: Int = 6,
        check: ([UInt8]) throws -> Bool
    ) -> Outcome {
        var outcome = Outcome(label: label + " (every prefix)", seed: 0, inputs: 0, accepted: 0)
        let small = mutator.seeds.filter { $0.count <= maxSeedBytes }
        let step = max(1, small.count / maxSeeds)
        for seed in stride(from: 0, to: small.count, by: step).prefix(maxSeeds).map({ small[$0] }) {
            for n in 0...seed.count {
                let input = Array(seed[..<n])
                do {
                    if try check(input) { outcome.accepted += 1 }
                } catch {
                    outcome.failure = "prefix of \(n) bytes: \(error); " + save(input, label: label, iteration: n)
                    return outcome
                }
                outcome.inputs += 1
            }
        }
        return outcome
    }

    /// Writes a failing input to the temporary directory; returns where.
    static func save(_ input: [UInt8], label: String, iteration: Int) -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fanout-fuzz-\(label)-\(iteration).bin")
        do {
            try Data(input).write(to: url)
            return "input saved to \(url.path)"
        } catch {
            return "input not saved (\(error))"
        }
    }
}

/// A broken property found by a robustness test (thrown from a `FuzzRun` check).
public struct PropertyViolation: Error, CustomStringConvertible {
    /// What is wrong.
    public var description: String

    /// Creates a violation.
    public init(_ description: String) { self.description = description }

    /// Throws unless `error` is one of `types` and its text names `input` (a file name or place).
    public static func requireError(_ error: any Error, is types: [any Error.Type], naming input: String) throws {
        try require(types.contains { type(of: error) == $0 }, "threw \(type(of: error)), not one of \(types): \(error)")
        try require("\(error)".contains(input), "the message does not name \(input): \(error)")
    }

    /// Throws unless `condition` holds.
    public static func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw PropertyViolation(message()) }
    }
}
