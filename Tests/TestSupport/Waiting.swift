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
public func eventually(seconds: Double = 90, _ condition: () throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try condition()
}
