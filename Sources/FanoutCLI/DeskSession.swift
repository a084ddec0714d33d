import ArgumentParser
import Dispatch
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

/// SIGINT and SIGTERM as requests to interrupt a desk, while the desk works with Kannel.
///
/// The signals are ignored for their default action and delivered through dispatch sources on a
/// global queue, which only records them and calls ``DeskInterruption/request()``; ``restore()``
/// puts the default actions back.
final class DeskSignals {
    /// The last signal received, written on the dispatch queue.
    private final class Last: Sendable {
        let signal = Mutex<Int32?>(nil)
    }

    private let sources: [any DispatchSourceSignal]
    private let last = Last()

    init(_ interruption: DeskInterruption) {
        var sources: [any DispatchSourceSignal] = []
        // The test runner (or a shell) may have started us with them blocked.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)  // 0, or an error number for a bad argument
        let last = self.last
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                last.signal.withLock { $0 = number }
                interruption.request()
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    /// The last signal received, if any.
    var received: Int32? { last.signal.withLock { $0 } }

    /// Stops listening and restores the default actions.
    func restore() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// Runs `body` on an open desk and closes it.
///
/// With Kannel, SIGINT and SIGTERM interrupt a run instead of killing the process, closing
/// waits for the delivery reports of the SMS Kannel has taken (a second signal stops the wait),
/// and an interrupted command exits with 128 + the signal's number after the ledger is written.
func withDesk(_ desk: ActionDesk, _ body: (ActionDesk) throws -> Void) throws {
    let signals = desk.usesRealProviders ? DeskSignals(desk.interruption) : nil
    defer { signals?.restore() }
    var failure: (any Error)?
    do { try body(desk) } catch { failure = error }
    do {
        let left = try desk.close { owed, limit in
            note(
                "waiting for \(grouped(owed)) outcome\(owed == 1 ? "" : "s") from \(ActionText.providerNames(desk)) "
                    + "(at most \(duration(limit.seconds))); Ctrl-C to leave them to the next run")
        }
        if left > 0 {
            note(
                "\(grouped(left)) messages without an outcome stay in flight: the next run sends them again "
                    + "under the same key (\(ActionText.providerNames(desk)) may then deliver them twice)")
        }
    } catch {
        if failure == nil { failure = error }
    }
    if let failure { throw failure }
    if let signal = signals?.received {
        note("interrupted by signal \(signal): the ledger is written; 'fanout action run' continues")
        throw ExitCode(128 + signal)
    }
}
