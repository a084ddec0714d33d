import ArgumentParser
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
import Synthetic

extension CRS: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

extension SelectionFormat: ExpressibleByArgument {}

extension SelectionRequest.Distance: ExpressibleByArgument {}

/// `NL,BE,DE` on the command line: officially assigned ISO 3166-1 alpha-2 codes.
struct CountryList: ExpressibleByArgument {
    var codes: Set<CountryCode>
    init?(argument: String) {
        let parts = argument.split(separator: ",").map { CountryCode($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0?.isAssigned == true }) else { return nil }
        codes = Set(parts.compactMap { $0 })
    }
}

/// `LON,LAT` on the command line.
struct LonLatArgument: ExpressibleByArgument {
    var value: LonLat
    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, let lon = Double(parts[0].trimmingCharacters(in: .whitespaces)),
            let lat = Double(parts[1].trimmingCharacters(in: .whitespaces))
        else { return nil }
        value = LonLat(lon: lon, lat: lat)
    }
    static var defaultValueDescription: String { "LON,LAT" }
}

/// `LON,LAT,RADIUS_M` on the command line.
struct CircleArgument: ExpressibleByArgument {
    var center: LonLat
    var radiusMeters: Double
    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false).map {
            Double($0.trimmingCharacters(in: .whitespaces))
        }
        guard parts.count == 3, let lon = parts[0], let lat = parts[1], let r = parts[2] else { return nil }
        center = LonLat(lon: lon, lat: lat)
        radiusMeters = r
    }
}

/// Draws a one-line progress indicator on a terminal, at most a few times a second, through the
/// ``TerminalWriter`` that log lines and notes go through (so they never write over it).
final class ProgressLine {
    private let writer: TerminalWriter
    private var last = ContinuousClock.now

    /// Creates a bar on `writer` (standard error by default).
    init(writer: TerminalWriter = .standardError) {
        self.writer = writer
    }

    func update(_ text: @autoclosure () -> String) {
        guard writer.isTerminal else { return }
        let now = ContinuousClock.now
        guard now - last > .milliseconds(200) else { return }
        last = now
        writer.drawBar(text())
    }

    func finish() {
        writer.clearBar()
    }
}

/// Formats an integer with thousands separators.
func grouped(_ n: Int) -> String {
    let s = String(n)
    var out = ""
    for (i, c) in s.reversed().enumerated() {
        if i > 0 && i % 3 == 0 && c != "-" { out.append(",") }
        out.append(c)
    }
    return String(out.reversed())
}

/// Seconds with a unit that suits them.
func duration(_ seconds: Double) -> String {
    if seconds < 0.001 { return "\(DecimalFormat.string(seconds * 1_000_000, decimals: 0)) µs" }
    return seconds < 1
        ? "\(DecimalFormat.string(seconds * 1000, decimals: 1)) ms" : "\(DecimalFormat.string(seconds, decimals: 2)) s"
}
