import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import Selection

// MARK: - Writing the map: SVG, and PNG through rsvg-convert

extension AreaMap {
    /// The program that turns the SVG into a PNG (librsvg; Debian package `librsvg2-bin`).
    public static let pngConverter = "rsvg-convert"

    /// Checks `url` (no inputs) and writes the SVG there, as the `OutputTarget` overload does.
    public func writeSVG(to url: URL) throws {
        try writeSVG(to: OutputTarget.check(url.path))
    }

    /// Writes the SVG to a checked target (kind ``OutputTarget/Kind/stream``): atomically
    /// (temporary file, then rename), or in place into a FIFO or character device.
    ///
    /// - Throws: ``OutputError`` naming the path when it may not or cannot be written.
    public func writeSVG(to target: OutputTarget) throws {
        let writer = try AtomicFileWriter(target: target)
        try writer.write(svg())
        try writer.commit()
    }

    /// Checks `url` (no inputs) and writes a PNG there, as the `OutputTarget` overload does.
    public func writePNG(to url: URL, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        try writePNG(to: OutputTarget.check(url.path, kind: .rendered), environment: environment)
    }

    /// Writes a PNG of the map, one pixel per SVG unit, through `rsvg-convert` found on `PATH`.
    ///
    /// The SVG goes to a temporary file beside the target (a regular file: kind
    /// ``OutputTarget/Kind/rendered``), `rsvg-convert` writes a temporary PNG there, and that is
    /// renamed over the target only when the converter succeeded and the result starts with the
    /// PNG signature; on failure nothing is left behind.
    ///
    /// - Throws: ``OutputError`` when the target may not be written or the rename fails;
    ///   ``AreaToolError`` `.output` when `rsvg-convert` is not installed (naming the package to
    ///   install), fails (with its message), or the SVG cannot be written.
    public func writePNG(
        to target: OutputTarget, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        let url = URL(fileURLWithPath: target.path)
        guard let converter = Self.findConverter(environment: environment) else {
            throw AreaToolError(
                .output,
                "\(url.path): PNG needs \(Self.pngConverter), which is not on PATH; install it "
                    + "(Debian/Ubuntu: apt-get install librsvg2-bin; macOS: brew install librsvg) or write SVG "
                    + "(a .svg output)")
        }
        try AtomicFileWriter.replace(target) { pngTemp in
            try render(with: converter, to: pngTemp, for: url)
        }
    }

    /// Writes the SVG beside `pngTemp`, runs `converter` on it into `pngTemp` and checks the result.
    private func render(with converter: URL, to pngTemp: URL, for url: URL) throws {
        let svgTemp = URL(fileURLWithPath: pngTemp.path + ".svg")
        defer { try? FileManager.default.removeItem(at: svgTemp) }
        do { try Data(svg().utf8).write(to: svgTemp) } catch {
            throw AreaToolError(.output, "\(url.path): cannot write the map: \(Self.reason(error))")
        }
        let process = Process()
        process.executableURL = converter
        process.arguments = ["--format", "png", "--output", pngTemp.path, svgTemp.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw AreaToolError(.output, "\(url.path): cannot run \(converter.path): \(Self.reason(error))")
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw AreaToolError(
                .output,
                "\(url.path): \(Self.pngConverter) failed (exit \(process.terminationStatus)): "
                    + message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard let head = try? FileHandle(forReadingFrom: pngTemp).read(upToCount: 8), [UInt8](head) == signature
        else {
            throw AreaToolError(.output, "\(url.path): \(Self.pngConverter) did not produce a PNG")
        }
    }

    /// The converter's path on `PATH`, if it is installed.
    static func findConverter(environment: [String: String]) -> URL? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent(pngConverter)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// The most useful text of a file error (its POSIX reason where there is one).
    static func reason(_ error: any Error) -> String {
        if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
            let posix = POSIXErrorCode(rawValue: Int32(underlying.code)), underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(posix.rawValue))
        }
        return (error as NSError).localizedDescription
    }
}
