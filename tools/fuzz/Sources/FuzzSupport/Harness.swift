import FanOut
import FanoutAreaTools
import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import Selection
import Synthetic

/// What every fuzz target checks besides "no crash, no hang, memory bounded" (which libFuzzer and
/// AddressSanitizer watch): the reader's failures are its own error type with a message that names
/// the input, and what it accepts is usable.
///
/// A broken property aborts the process, so libFuzzer saves the input as a crash reproducer.
public enum Fuzz {
    /// Aborts the run with `message` when `condition` is false.
    public static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        guard condition else { fail("fuzz property violated: \(message())") }
    }

    /// Writes `message` to standard error and aborts (a harness failure or a broken property).
    public static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        abort()
    }

    /// Checks that a reader's error is of its own type `E` and that its text names `input` (when
    /// `input` is not empty).
    ///
    /// - Parameters:
    ///   - error: What the reader threw.
    ///   - type: The reader's error type.
    ///   - input: The name the reader was given (a path or a label); the message must contain it.
    public static func requireOwnError<E: Error>(_ error: any Error, _ type: E.Type, naming input: String) {
        require(error is E, "expected \(E.self), got \(Swift.type(of: error)): \(error)")
        let text = "\(error)"
        require(!text.isEmpty, "empty error message")
        require(input.isEmpty || text.contains(input), "the message does not name the input '\(input)': \(text)")
    }

    /// The bytes of a libFuzzer input.
    public static func data(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> Data {
        Data(bytes: bytes, count: size)
    }
}

/// A file the target rewrites for every input, for readers that take a path.
///
/// It lives in `/dev/shm` when there is one (no disk traffic), else in the temporary directory,
/// and is named after the process so parallel fuzzers do not share it.
public final class ScratchFile {
    /// The file's URL.
    public let url: URL

    /// Creates the scratch file's name (the file is written by ``write(_:)``).
    public init(name: String) {
        let base =
            FileManager.default.fileExists(atPath: "/dev/shm")
            ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
        url = base.appendingPathComponent("fanout-fuzz-\(getpid())-\(name)")
    }

    /// Replaces the file's contents with `data`.
    public func write(_ data: Data) {
        do { try data.write(to: url) } catch { Fuzz.fail("fuzz harness: cannot write \(url.path): \(error)") }
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// libFuzzer's entry point for a program that has its own `main` (SwiftPM gives every
/// executable one), available since LLVM 12.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The one input handler of this process, called by libFuzzer.
nonisolated(unsafe) private var handler: ((Data) -> Void)?

/// The function libFuzzer calls with each input.
///
/// The fuzzer runtime's own `main` refers to it, so it must exist even though ``Fuzz/run(_:)``
/// (called from the target's `main`, which SwiftPM's entry point replaces it with) drives the run.
@_cdecl("LLVMFuzzerTestOneInput")
public func llvmFuzzerTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    handler?(bytes.map { Data(bytes: $0, count: size) } ?? Data())
    return 0
}

extension Fuzz {
    /// Runs libFuzzer with the process's arguments, calling `body` with every input.
    ///
    /// - Returns: libFuzzer's exit status (it normally exits by itself).
    public static func run(_ body: @escaping (Data) -> Void) -> Int32 {
        handler = body
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        return LLVMFuzzerRunDriver(&argc, &argv, llvmFuzzerTestOneInput)
    }
}
