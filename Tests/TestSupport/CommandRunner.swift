import Foundation
import Synchronization

/// Runs the built `fanout` executable and captures its output.
public struct CommandResult: Sendable {
    /// Exit status.
    public var status: Int32
    /// Standard output.
    public var stdout: String
    /// Standard error.
    public var stderr: String
}

public enum CommandRunner {
    /// The `fanout` binary in the build products directory of the running tests.
    public static func executable() throws -> URL {
        var candidates: [URL] = []
        var dir = Bundle.main.bundleURL
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("fanout"))
            dir = dir.deletingLastPathComponent()
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) {
            return found
        }
        throw CocoaError(
            .fileNoSuchFile, userInfo: [NSFilePathErrorKey: candidates.map(\.path).joined(separator: ", ")])
    }

    /// Runs `fanout` with `arguments` in `directory`, with `environment` added to this process's.
    public static func run(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]
    ) async throws -> CommandResult {
        let executable = try executable()
        return try await onOwnThread {
            try runBlocking(executable: executable, arguments, in: directory, environment: environment)
        }
    }

    /// Runs `fanout` with `arguments` in `directory`, blocking the calling thread: only for the
    /// one-off set-up of a suite's shared fixture (a `static let`, which cannot await).
    public static func runBlocking(_ arguments: [String], in directory: URL? = nil) throws -> CommandResult {
        try runBlocking(executable: try executable(), arguments, in: directory)
    }

    /// Runs any executable with `arguments` in `directory`, waiting for it on a thread of its own
    /// (see ``onOwnThread(_:)``).
    public static func run(executable: URL, _ arguments: [String], in directory: URL? = nil) async throws
        -> CommandResult
    {
        try await onOwnThread { try runBlocking(executable: executable, arguments, in: directory) }
    }

    /// Runs `fanout` with `arguments` and its standard output going to `standardOutput` (a file,
    /// `/dev/full`) instead of a pipe; the result's `stdout` is empty.
    public static func run(_ arguments: [String], standardOutput: FileHandle, in directory: URL? = nil) async throws
        -> CommandResult
    {
        let executable = try executable()
        return try await onOwnThread {
            try runBlocking(executable: executable, arguments, in: directory, standardOutput: standardOutput)
        }
    }

    /// Runs any executable with `arguments` in `directory`, blocking the calling thread until it
    /// exits; its standard output goes to `standardOutput` when given, else it is captured.
    /// `environment` is added to this process's environment (a variable set to "" stays, empty).
    public static func runBlocking(
        executable: URL, _ arguments: [String], in directory: URL? = nil, standardOutput: FileHandle? = nil,
        environment: [String: String] = [:]
    ) throws -> CommandResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
        }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = standardOutput ?? out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently so a full pipe never blocks the child.
        let errData = LockedData()
        let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        if standardOutput != nil { try out.fileHandleForWriting.close() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errData.isSet { usleep(1000) }
        return CommandResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.value, as: UTF8.self))
    }
}

/// Runs `body` on a new thread and awaits its result.
///
/// For work that blocks (waiting for a child process, a socket, `sleep`): done on a thread of
/// Swift concurrency's cooperative pool, it would hold one of its few threads (two on a 2-core CI
/// machine) and stall every other test's `await` for as long, so that tests with wall-clock
/// deadlines (the Kannel peer's start-up, the kill test) time out while nothing is wrong.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

private final class LockedData: Sendable {
    private let data = Mutex<Data?>(nil)
    func set(_ d: Data) { data.withLock { $0 = d } }
    var isSet: Bool { data.withLock { $0 != nil } }
    var value: Data { data.withLock { $0 ?? Data() } }
}
