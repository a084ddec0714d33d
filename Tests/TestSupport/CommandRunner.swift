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

    /// Runs `fanout` with `arguments` in `directory`.
    public static func run(_ arguments: [String], in directory: URL? = nil) throws -> CommandResult {
        try run(executable: try executable(), arguments, in: directory)
    }

    /// Runs any executable with `arguments` in `directory`.
    public static func run(executable: URL, _ arguments: [String], in directory: URL? = nil) throws -> CommandResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently so a full pipe never blocks the child.
        let errData = LockedData()
        let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errData.isSet { usleep(1000) }
        return CommandResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.value, as: UTF8.self))
    }
}

private final class LockedData: Sendable {
    private let data = Mutex<Data?>(nil)
    func set(_ d: Data) { data.withLock { $0 = d } }
    var isSet: Bool { data.withLock { $0 != nil } }
    var value: Data { data.withLock { $0 ?? Data() } }
}
