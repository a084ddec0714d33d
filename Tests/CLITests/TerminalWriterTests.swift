import Foundation
import Synchronization
import TestSupport
import Testing

@testable import FanoutCLI
import Geo
import GeoFormats
import Participants
import Selection
import FanOut
import ProviderAdapters
import FanoutEngine
import FanoutAreaTools
import FanoutTesting
import FanoutDesk
import FanoutLab
import Synthetic

/// The standard-error writer shared by the progress bar, the log and the notes.
@Suite struct TerminalWriterTests {
    /// A fake terminal: records each write.
    final class Screen: Sendable {
        let writes = Mutex<[String]>([])
        var text: String { writes.withLock { $0.joined() } }
    }

    @Test func aLineClearsTheBarAndTheBarIsDrawnAgainAfterIt() {
        let screen = Screen()
        let writer = TerminalWriter(isTerminal: true) { s in screen.writes.withLock { $0.append(s) } }
        writer.line("before")
        writer.drawBar("month: 10% of the actions started")
        writer.line("2026-12-07T11:25:20.113Z warning fanout.dispatcher: provider throttled: slowing down")
        writer.drawBar("month: 20% of the actions started")
        writer.clearBar()
        writer.line("after")
        let clear = TerminalWriter.clearLine
        #expect(
            screen.writes.withLock { $0 } == [
                "before\n", clear + "month: 10% of the actions started",
                clear + "2026-12-07T11:25:20.113Z warning fanout.dispatcher: provider throttled: slowing down\n"
                    + "month: 10% of the actions started",
                clear + "month: 20% of the actions started", clear, "after\n",
            ])
        // What a terminal shows: each \r\e[K wipes the line; every log line stands on a line of its own.
        #expect(Self.render(screen.text) == [
            "before", "2026-12-07T11:25:20.113Z warning fanout.dispatcher: provider throttled: slowing down", "after",
        ])
    }

    @Test func withoutATerminalNoBarIsDrawnAndLinesAreWrittenAsTheyAre() {
        let screen = Screen()
        let writer = TerminalWriter(isTerminal: false) { s in screen.writes.withLock { $0.append(s) } }
        writer.drawBar("month: 10%")
        writer.line("a log line")
        writer.clearBar()
        #expect(screen.text == "a log line\n")
        let bar = ProgressLine(writer: writer)
        bar.update("never drawn")
        bar.finish()
        #expect(screen.text == "a log line\n")
    }

    @Test func linesFromManyThreadsNeverLandInsideEachOtherOrTheBar() async throws {
        let screen = Screen()
        let writer = TerminalWriter(isTerminal: true) { s in screen.writes.withLock { $0.append(s) } }
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<4 {
                group.addTask {
                    for i in 0..<200 {
                        if t == 0 { writer.drawBar("bar \(i)") } else { writer.line("thread \(t) line \(i)") }
                    }
                }
            }
        }
        writer.clearBar()
        let shown = Self.render(screen.text)
        #expect(shown.count == 600)
        #expect(shown.allSatisfy { $0.hasPrefix("thread ") && $0.split(separator: " ").count == 4 })
    }

    /// The lines a terminal ends up showing for `text`: `\r\e[K` clears the current line.
    static func render(_ text: String) -> [String] {
        var lines: [String] = []
        var current = ""
        var rest = Substring(text)
        while let c = rest.first {
            if rest.hasPrefix(TerminalWriter.clearLine) {
                current = ""
                rest = rest.dropFirst(TerminalWriter.clearLine.count)
                continue
            }
            if c == "\n" {
                lines.append(current)
                current = ""
            } else {
                current.append(c)
            }
            rest = rest.dropFirst()
        }
        return lines
    }
}
