import FanOut
import FanoutAreaTools
import FanoutCore
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection
import Synthetic
import TestSupport
import Testing

/// Every `--help` text reads as written: walked over the whole command tree of the real binary
/// (`fanout --experimental-dump-help`, the data argument-parser prints each help from).
@Suite struct HelpTextTests {
    /// One command of the tree: its words and its part of the dump.
    struct Command {
        var path: String
        var json: [String: Any]
    }

    /// Every command of the real binary, the root first (argument-parser's own `help` left out).
    static func commands() async throws -> [Command] {
        let dump = try await CommandRunner.run(["--experimental-dump-help"])
        #expect(dump.status == 0, "\(dump.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any]
        guard let root = object?["command"] as? [String: Any] else {
            Issue.record("no command in the dump")
            return []
        }
        var all: [Command] = []
        func walk(_ json: [String: Any], _ prefix: String) {
            let path = prefix.isEmpty ? "\(json["commandName"] ?? "")" : "\(prefix) \(json["commandName"] ?? "")"
            all.append(Command(path: path, json: json))
            for sub in json["subcommands"] as? [[String: Any]] ?? [] where sub["commandName"] as? String != "help" {
                walk(sub, path)
            }
        }
        walk(root, "")
        return all
    }

    /// The displayed arguments of a command (its `-h`/`--help` flag left out: argument-parser's).
    static func arguments(of command: Command) -> [[String: Any]] {
        (command.json["arguments"] as? [[String: Any]] ?? []).filter { a in
            (a["shouldDisplay"] as? Bool ?? true)
                && !((a["names"] as? [[String: Any]] ?? []).contains { $0["name"] as? String == "help" })
        }
    }

    static func name(_ argument: [String: Any]) -> String {
        ((argument["preferredName"] as? [String: Any])?["name"] as? String)
            ?? (argument["valueName"] as? String) ?? "?"
    }

    /// A sentence as the help prints it: a capital (or a quoted or `--option` start) and a full stop.
    static func isSentence(_ text: String) -> Bool {
        guard let first = text.first, text.hasSuffix(".") else { return false }
        return first.isUppercase || first.isNumber || "\"'-<".contains(first)
    }

    @Test func everyCommandHasAOneLineAbstractWrittenAsASentence() async throws {
        let commands = try await Self.commands()
        #expect(commands.count >= 20)
        for c in commands {
            let abstract = c.json["abstract"] as? String ?? ""
            #expect(Self.isSentence(abstract), "\(c.path): abstract '\(abstract)'")
            #expect(!abstract.contains("\n"), "\(c.path): abstract with a line break")
        }
    }

    @Test func everyArgumentHasHelpWrittenAsASentenceAndEveryOptionAValueName() async throws {
        for c in try await Self.commands() {
            for a in Self.arguments(of: c) {
                let help = a["abstract"] as? String ?? ""
                #expect(Self.isSentence(help), "\(c.path) \(Self.name(a)): help '\(help)'")
                #expect(!help.contains("\n"), "\(c.path) \(Self.name(a)): help with a line break")
                // An option's value is named (`--db <FILE>`), unless argument-parser lists its values.
                if a["kind"] as? String == "option", (a["allValues"] as? [String] ?? []).isEmpty {
                    #expect(a["valueName"] as? String != Self.name(a), "\(c.path) --\(Self.name(a)): no value name")
                }
            }
        }
    }

    /// A discussion's paragraphs are separated by blank lines and have no line break of their own:
    /// argument-parser wraps each to the terminal, so a break in the source showed as a ragged
    /// line (fourteen commands had them).
    @Test func noHelpTextBreaksALineInsideAParagraph() async throws {
        for c in try await Self.commands() {
            let discussion = c.json["discussion"] as? String ?? ""
            for paragraph in discussion.components(separatedBy: "\n\n") {
                let lines = paragraph.split(separator: "\n", omittingEmptySubsequences: false)
                for line in lines.dropFirst() where !line.hasPrefix("- ") && !line.hasPrefix("  ") {
                    Issue.record("\(c.path): a line break inside a paragraph before '\(line.prefix(40))'")
                }
            }
        }
    }

    /// One spelling throughout: `(default: X)` as argument-parser writes its own defaults,
    /// "standard output/error" and "for example" written out.
    @Test func helpTextsUseOneSpellingForDefaultsStreamsAndExamples() async throws {
        for c in try await Self.commands() {
            let texts =
                [c.json["abstract"] as? String ?? "", c.json["discussion"] as? String ?? ""]
                + Self.arguments(of: c).map { $0["abstract"] as? String ?? "" }
            for text in texts {
                for banned in ["(default ", "e.g.", "i.e.", "stdout", "stderr"] {
                    let found = text.range(of: banned).map { _ in
                        // "/dev/stdout" is a path, not an abbreviation.
                        text.replacingOccurrences(of: "/dev/stdout", with: "").contains(banned)
                    } ?? false
                    #expect(!found, "\(c.path): '\(banned)' in '\(text.prefix(80))...'")
                }
            }
        }
    }
}
