import Foundation
import Synchronization

/// Checks that an object is used by one caller at a time, on any thread.
///
/// The owner enters around each operation (``enter()``/``leave()`` or ``run(_:)``). A second
/// caller entering while the first is inside is a programming error: ``enter()`` stops the process
/// with a message naming the owner's type. The same thread may enter again while inside (a callback
/// of the operation may call the owner), so the check is about callers, not threads: an object may
/// move between threads and tasks freely, as long as its uses do not overlap.
///
/// This replaces the checks that an object stays on the pthread that made it: a GEOS `_r` or PROJ
/// context is safe on any thread as long as one thread uses it at a time (as GRDB's
/// `SchedulingWatchdog` checks a database connection's serialized use, not its thread).
///
/// - Complexity: ``enter()`` and ``leave()`` are one atomic compare-and-exchange or store each.
package final class ExclusiveUse: Sendable {
    /// The type being guarded, for the message.
    private let owner: String
    /// The thread inside (``ThreadToken``), 0 when nobody is.
    private let holder = Atomic<UInt>(0)
    /// How deep the holder has entered (only the holder changes it).
    private let depth = Atomic<Int>(0)

    /// Creates a check for an object of type `owner` (the name in the message).
    package init(_ owner: String) {
        self.owner = owner
    }

    /// Enters on behalf of the calling thread.
    ///
    /// - Returns: Whether it entered; `false` when another thread is inside (nothing changed).
    package func tryEnter() -> Bool {
        let me = ThreadToken.current
        let (exchanged, found) = holder.compareExchange(
            expected: 0, desired: me, successOrdering: .acquiring, failureOrdering: .relaxed)
        guard exchanged || found == me else { return false }
        depth.add(1, ordering: .relaxed)
        return true
    }

    /// Enters on behalf of the calling thread; stops the process when another caller is inside.
    package func enter(file: StaticString = #fileID, line: UInt = #line) {
        precondition(
            tryEnter(),
            "\(owner) used by two callers at once: one \(owner) serves one caller at a time (on any thread, "
                + "or in an actor or task); give each concurrent caller its own, or queue the calls",
            file: file, line: line)
    }

    /// Leaves after ``enter()`` or a successful ``tryEnter()``, on the same thread.
    package func leave() {
        if depth.subtract(1, ordering: .relaxed).newValue == 0 {
            holder.store(0, ordering: .releasing)
        }
    }

    /// Runs `body` entered (see ``enter()``).
    @inline(__always)
    package func run<T, E: Error>(
        file: StaticString = #fileID, line: UInt = #line, _ body: () throws(E) -> T
    ) throws(E) -> T {
        enter(file: file, line: line)
        defer { leave() }
        return try body()
    }

    /// Whether a caller is inside now (for tests and checks).
    package var isInUse: Bool { holder.load(ordering: .relaxed) != 0 }

    /// Whether the calling thread may use the object now: nobody is inside, or it is.
    package var isFreeForCurrentThread: Bool {
        let inside = holder.load(ordering: .relaxed)
        return inside == 0 || inside == ThreadToken.current
    }
}

/// A number that identifies the calling thread while it lives (never 0).
enum ThreadToken {
    /// The calling thread's token.
    static var current: UInt {
        #if canImport(Darwin)
            UInt(bitPattern: pthread_self())
        #else
            UInt(pthread_self())
        #endif
    }
}
