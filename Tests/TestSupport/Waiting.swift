import Foundation

/// `n` with a comma every three digits, as the CLI prints counts (`2,024`).
public func thousands(_ n: Int) -> String {
    var s = String(n)
    var i = s.count - 3
    while i > 0 {
        s.insert(",", at: s.index(s.startIndex, offsetBy: i))
        i -= 3
    }
    return s
}

/// Waits (real time, polling every 20 ms) until `condition` holds or `seconds` have passed;
/// returns whether it held.
///
/// It polls on a thread of its own, never on Swift concurrency's cooperative pool: with the
/// CPU-bound suites running beside it on a loaded machine, a poll that slept on that pool was not
/// resumed for the whole minute a child process ran, and the wait missed it (seen in
/// `LedgerOwnershipTests`).
public func eventually(seconds: Double = 90, _ condition: @escaping @Sendable () throws -> Bool) async throws -> Bool {
    try await onOwnThread {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return try condition()
    }
}
