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
import Synchronization
import Synthetic

/// Standard error as the progress bar, the log lines and the notes share it: a line never
/// writes over the bar.
///
/// On a terminal the bar is a line without a newline, redrawn in place. A log line or a note
/// written while it shows would be appended to the bar's text, and the next redraw would wipe
/// it. Here every line first clears the bar's line, then writes the line, then draws the bar
/// again below it, all in one `write(2)` under one lock, so lines from other threads (Kannel's
/// report thread) cannot land in between. When standard error is not a terminal no bar is drawn,
/// and lines are written as they are.
final class TerminalWriter: Sendable {
    /// Whether the stream is a terminal (the bar is drawn only then).
    let isTerminal: Bool
    private let sink: @Sendable (String) -> Void
    /// The bar's text while it is on the screen.
    private let bar = Mutex<String?>(nil)

    /// The ANSI sequence that returns to the start of the line and clears it.
    static let clearLine = "\r\u{1B}[K"

    /// Creates a writer over `sink`, which writes its text in one piece.
    ///
    /// - Parameters:
    ///   - isTerminal: Whether `sink` is a terminal.
    ///   - sink: Writes text (a failure there cannot be reported anywhere and is ignored).
    init(isTerminal: Bool, sink: @escaping @Sendable (String) -> Void) {
        self.isTerminal = isTerminal
        self.sink = sink
    }

    /// The process's standard error.
    static let standardError = TerminalWriter(isTerminal: isatty(STDERR_FILENO) == 1) { text in
        _ = Array(text.utf8).withUnsafeBytes { RawWrite.all(STDERR_FILENO, $0) }
    }

    /// Writes `text` and a newline; on a terminal with the bar showing, the bar's line is cleared
    /// first and the bar drawn again after the line.
    func line(_ text: String) {
        bar.withLock { shown in
            guard let shown else { return sink(text + "\n") }
            sink(Self.clearLine + text + "\n" + shown)
        }
    }

    /// Draws `text` as the bar, in place of the bar before it (nothing when not a terminal).
    func drawBar(_ text: String) {
        guard isTerminal else { return }
        bar.withLock { shown in
            shown = text
            sink(Self.clearLine + text)
        }
    }

    /// Clears the bar's line, if the bar shows.
    func clearBar() {
        bar.withLock { shown in
            if shown != nil { sink(Self.clearLine) }
            shown = nil
        }
    }
}
