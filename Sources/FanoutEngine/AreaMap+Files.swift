import Foundation

// MARK: - Writing the map: SVG, and PNG through rsvg-convert

extension AreaMap {
    /// The program that turns the SVG into a PNG (librsvg; Debian package `librsvg2-bin`).
    public static let pngConverter = "rsvg-convert"

    /// Writes the SVG atomically (temporary file, then rename).
    ///
    /// - Throws: ``AreaToolError`` `.output` naming the path when it cannot be written.
    public func writeSVG(to url: URL) throws {
        do {
            let writer = try AtomicFileWriter(url: url)
            try writer.write(svg())
            try writer.commit()
        } catch {
            throw AreaToolError(.output, "\(url.path): cannot write the map: \(Self.reason(error))")
        }
    }

    /// Writes a PNG of the map, one pixel per SVG unit, through `rsvg-convert` found on `PATH`.
    ///
    /// The SVG goes to a temporary file beside `url`, `rsvg-convert` writes a temporary PNG
    /// there, and that is renamed over `url` only when the converter succeeded and the result
    /// starts with the PNG signature; on failure nothing is left behind.
    ///
    /// - Throws: ``AreaToolError`` `.output` when `rsvg-convert` is not installed (naming the
    ///   package to install), fails (with its message), or the file cannot be written.
    public func writePNG(to url: URL, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let converter = Self.findConverter(environment: environment) else {
            throw AreaToolError(
                .output,
                "\(url.path): PNG needs \(Self.pngConverter), which is not on PATH; install it "
                    + "(Debian/Ubuntu: apt-get install librsvg2-bin; macOS: brew install librsvg) or write SVG "
                    + "with --out FILE.svg")
        }
        let dir = url.deletingLastPathComponent()
        let stem = ".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier)"
        let svgTemp = dir.appendingPathComponent(stem + ".svg.tmp")
        let pngTemp = dir.appendingPathComponent(stem + ".png.tmp")
        defer {
            try? FileManager.default.removeItem(at: svgTemp)
            try? FileManager.default.removeItem(at: pngTemp)
        }
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
        if rename(pngTemp.path, url.path) != 0 {
            throw AreaToolError(.output, "\(url.path): cannot write the map: \(String(cString: strerror(errno)))")
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
