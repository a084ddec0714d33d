import Crypto
import Dispatch
import FanOut
import Foundation
import ProviderAdapters
import Synchronization

/// The spoken message: the text followed by the key-press prompt, rendered with espeak-ng to WAV
/// and converted with sox to 8 kHz mono G.711 (µ-law and A-law), cached on disk per action,
/// language and text.
///
/// Files in the cache directory: `<action>-<language>-<hash>.ulaw` and `.alaw`, raw G.711 bytes
/// (no header), where `<hash>` is the first 16 hex digits of the SHA-256 of the voice and the
/// spoken text. A file is written under a temporary name and renamed, so a reader never sees half
/// of one; the last ``memoryEntries`` renderings are also kept in memory.
final class SIPAudio: Sendable {
    /// One rendered message in both codecs.
    struct Rendering: Sendable {
        var pcmu: [UInt8]
        var pcma: [UInt8]
        /// The cache file of the µ-law rendering (tests compare the received RTP with it).
        var pcmuFile: String

        func bytes(_ codec: G711) -> [UInt8] { codec == .pcmu ? pcmu : pcma }
    }

    /// The key-press prompt per language.
    static let prompts: [String: String] = [
        "nl": "Druk op 1 als u de persoon hebt gezien, op 2 als u voor deze actie niet meer gebeld wilt worden.",
        "fr": "Appuyez sur 1 si vous avez vu la personne, sur 2 si vous ne voulez plus d'appels pour cette action.",
        "de":
            "Drücken Sie die 1, wenn Sie die Person gesehen haben, die 2, wenn Sie für diese Aktion keine Anrufe mehr wünschen.",
        "en": "Press 1 if you have seen the person, 2 if you want no more calls for this action.",
    ]

    static let memoryEntries = 64
    /// How long one espeak-ng or sox run may take.
    static let toolTimeout: Duration = .seconds(60)

    private let configuration: SIPConfiguration
    private let memory = Mutex<(entries: [String: Rendering], order: [String])>(([:], []))

    init(configuration: SIPConfiguration) throws {
        self.configuration = configuration
        do {
            try FileManager.default.createDirectory(
                atPath: configuration.audioCacheDirectory, withIntermediateDirectories: true)
        } catch {
            throw ProviderAdapterError(
                .invalidConfiguration,
                "the audio cache directory '\(configuration.audioCacheDirectory)' cannot be created: \(error.localizedDescription)"
            )
        }
        for tool in [configuration.espeakPath, configuration.soxPath]
        where !FileManager.default.isExecutableFile(atPath: tool) {
            throw ProviderAdapterError(
                .invalidConfiguration, "\(tool) is not installed (apt-get install espeak-ng sox)")
        }
    }

    /// Whether `code` looks like a language code: two or three lower-case ASCII letters.
    static func isLanguageCode(_ code: String) -> Bool {
        (2...3).contains(code.count) && code.allSatisfy { $0.isASCII && $0.isLowercase }
    }

    /// The language a message is spoken in: its own (`nl-BE` is `nl`) when it has a voice, else the default.
    func language(of message: OutboundMessage) -> String {
        let own = message.language.map { String($0.lowercased().split(separator: "-").first ?? "") }
        if let own, configuration.voices[own] != nil { return own }
        return configuration.defaultLanguage
    }

    /// The text spoken for `message`: its text, then the prompt in its language (English when
    /// there is no prompt in that language).
    func spokenText(_ message: OutboundMessage) -> String {
        let language = language(of: message)
        return message.text + "\n" + (Self.prompts[language] ?? Self.prompts["en"] ?? "")
    }

    /// The cache file name of `message`'s rendering, without the codec's extension.
    func cacheName(_ message: OutboundMessage) -> String {
        let language = language(of: message)
        let voice = configuration.voices[language] ?? language
        let digest = SHA256.hash(data: Array((voice + "\n" + spokenText(message)).utf8))
        let hash = digest.prefix(8).map {
            String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16)
        }
        return "\(message.key.action.rawValue)-\(language)-\(hash.joined())"
    }

    /// The rendering of `message`, from memory, the cache directory, or espeak-ng and sox.
    ///
    /// Called on the adapter's preparation threads.
    /// - Throws: ``ProviderAdapterError`` `.badAnswer` when a tool fails (its message masked).
    func rendering(for message: OutboundMessage) throws -> Rendering {
        let name = cacheName(message)
        if let hit = memory.withLock({ $0.entries[name] }) { return hit }
        let directory = URL(fileURLWithPath: configuration.audioCacheDirectory)
        let ulaw = directory.appendingPathComponent(name + ".ulaw")
        let alaw = directory.appendingPathComponent(name + ".alaw")
        if let u = try? Data(contentsOf: ulaw), let a = try? Data(contentsOf: alaw), !u.isEmpty, !a.isEmpty {
            return remember(name, Rendering(pcmu: Array(u), pcma: Array(a), pcmuFile: ulaw.path))
        }
        let temp = "\(name).\(UUID().uuidString)"
        let text = directory.appendingPathComponent(temp + ".txt")
        let wav = directory.appendingPathComponent(temp + ".wav")
        let tempU = directory.appendingPathComponent(temp + ".ulaw.part")
        let tempA = directory.appendingPathComponent(temp + ".alaw.part")
        let errors = directory.appendingPathComponent(temp + ".err")
        defer {
            for file in [text, wav, tempU, tempA, errors] { try? FileManager.default.removeItem(at: file) }
        }
        do {
            try Data(spokenText(message).utf8).write(to: text)
        } catch {
            throw ProviderAdapterError(
                .socket, "cannot write to the audio cache directory: \(error.localizedDescription)")
        }
        let language = language(of: message)
        let voice = configuration.voices[language] ?? language
        // The text from a file (-f): never an argument, so no text can look like an option.
        try Self.run(configuration.espeakPath, ["-v", voice, "-f", text.path, "-w", wav.path], errors: errors)
        for (codec, file) in [(G711.pcmu, tempU), (G711.pcma, tempA)] {
            try Self.run(
                configuration.soxPath, ["-q", wav.path, "-r", "8000", "-c", "1", "-t", codec.soxType, file.path],
                errors: errors)
        }
        let u = (try? Data(contentsOf: tempU)) ?? Data()
        let a = (try? Data(contentsOf: tempA)) ?? Data()
        guard !u.isEmpty, !a.isEmpty else {
            throw ProviderAdapterError(.badAnswer, "sox wrote no audio for the message (action \(message.key.action))")
        }
        // rename(2) replaces atomically: a concurrent rendering of the same text writes the same bytes.
        guard rename(tempU.path, ulaw.path) == 0, rename(tempA.path, alaw.path) == 0 else {  // 0, or -1 with errno
            throw ProviderAdapterError(.socket, "cannot move the rendering into the audio cache", errno: errno)
        }
        return remember(name, Rendering(pcmu: Array(u), pcma: Array(a), pcmuFile: ulaw.path))
    }

    private func remember(_ name: String, _ rendering: Rendering) -> Rendering {
        memory.withLock { m in
            if m.entries.updateValue(rendering, forKey: name) == nil { m.order.append(name) }
            while m.order.count > Self.memoryEntries { m.entries[m.order.removeFirst()] = nil }
        }
        return rendering
    }

    /// Runs a tool to its end (at most ``toolTimeout``), its output discarded but for the error text.
    private static func run(_ path: String, _ arguments: [String], errors: URL) throws {
        guard FileManager.default.createFile(atPath: errors.path, contents: nil),
            let sink = FileHandle(forWritingAtPath: errors.path)
        else { throw ProviderAdapterError(.socket, "cannot write to the audio cache directory") }
        defer { try? sink.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = sink
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do { try process.run() } catch {
            throw ProviderAdapterError(.badAnswer, "cannot start \(path): \(error.localizedDescription)")
        }
        if done.wait(timeout: .now() + .seconds(Int(toolTimeout.components.seconds))) == .timedOut {
            process.terminate()
            done.wait()
            throw ProviderAdapterError(.badAnswer, "\(path) did not finish within \(toolTimeout)")
        }
        guard process.terminationStatus == 0, process.terminationReason == .exit else {
            let text = (try? Data(contentsOf: errors)) ?? Data()
            let message = PersonalData.masked(String(decoding: text.prefix(400), as: UTF8.self))
            throw ProviderAdapterError(.badAnswer, "\(path) failed (status \(process.terminationStatus)): \(message)")
        }
    }
}
