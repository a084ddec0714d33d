import Foundation

/// One row of NSGI's RDNAPTRANS2018 validation file (`Z001_ETRS89andRDNAP.txt`).
public struct NSGIPoint: Sendable {
    /// NSGI's point id.
    public var id: String
    /// ETRS89 latitude in degrees.
    public var lat: Double
    /// ETRS89 longitude in degrees.
    public var lon: Double
    /// NSGI's RD x in metres.
    public var x: Double
    /// NSGI's RD y in metres.
    public var y: Double
    /// Whether the point lies in the NAP area (NSGI gives a height there; `*` elsewhere).
    public var hasNAP: Bool
}

/// The 10,000 points of NSGI's validation file Z001, from `Tests/GeoTests/Fixtures/rdnaptrans2018`.
///
/// - Throws: A `CocoaError` when the file cannot be read, ``Z001FormatError`` for a bad line.
public func loadZ001() throws -> [NSGIPoint] {
    let text = try String(
        contentsOf: Fixtures.url("GeoTests/Fixtures/rdnaptrans2018/Z001_ETRS89andRDNAP.txt"), encoding: .utf8)
    return try text.split(whereSeparator: \.isNewline).map { line in
        let f = line.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
        guard f.count == 7, let lat = Double(f[1]), let lon = Double(f[2]), let x = Double(f[4]),
            let y = Double(f[5])
        else { throw Z001FormatError(line: String(line)) }
        return NSGIPoint(id: f[0], lat: lat, lon: lon, x: x, y: y, hasNAP: f[6] != "*")
    }
}

/// A line of the Z001 file that is not `id, lat, lon, h, x, y, H`.
public struct Z001FormatError: Error, CustomStringConvertible {
    /// The line.
    public var line: String
    public var description: String { "bad Z001 line: \(line)" }
}
