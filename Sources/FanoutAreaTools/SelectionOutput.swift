import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import Selection

/// Output formats of a selection.
public enum SelectionFormat: String, Sendable, CaseIterable {
    /// `participant_id,distance_m,country`, outside-in.
    case csv
    /// A GeoJSON FeatureCollection of points in lon/lat, outside-in.
    case geojson
}

extension Engine {
    /// Writes `result` in `format`, streaming to `sink` in chunks.
    ///
    /// CSV: header `participant_id,distance_m,country`, distance in metres with 3 decimals, an
    /// empty country when unknown. GeoJSON: one Point Feature per participant with
    /// `participant_id`, `distance_m`, `rank` (1 = called first) and `country`, at the position
    /// `positions` asks for; the top-level member `fanout:positions` says which
    /// (``PositionPrecision/statement``).
    ///
    /// - Parameters:
    ///   - result: The selection.
    ///   - format: CSV or GeoJSON.
    ///   - positions: GeoJSON positions: coarsened to the 250 m RD New cell centre (the default)
    ///     or exact. CSV has no positions.
    ///   - sink: Takes the bytes, in order.
    /// - Throws: What `sink` throws; ``GeoError`` when PROJ fails.
    public func write(
        _ result: SelectionResult, as format: SelectionFormat, positions: PositionPrecision = .coarsened,
        to sink: (ArraySlice<UInt8>) throws -> Void
    ) throws {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        func drain(_ force: Bool = false) throws {
            if force || out.count >= 1 << 20 {
                try sink(out[...])
                out.removeAll(keepingCapacity: true)
            }
        }
        switch format {
        case .csv:
            out.append(contentsOf: "participant_id,distance_m,country\n".utf8)
            for p in result.participants {
                out.append(contentsOf: String(p.id).utf8)
                out.append(UInt8(ascii: ","))
                DecimalFormat.append(p.distanceMeters, decimals: 3, to: &out)
                out.append(UInt8(ascii: ","))
                if let c = p.country { out.append(contentsOf: c.description.utf8) }
                out.append(UInt8(ascii: "\n"))
                try drain()
            }
        case .geojson:
            out.append(
                contentsOf:
                    "{\"type\":\"FeatureCollection\",\"fanout:positions\":\"\(positions.statement)\",\"features\":["
                    .utf8)
            let lonLats = try lonLats(of: result, precision: positions)
            for (rank, p) in result.participants.enumerated() {
                if rank > 0 { out.append(UInt8(ascii: ",")) }
                let ll = lonLats[rank]
                out.append(
                    contentsOf: "\n{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[".utf8)
                DecimalFormat.append(ll.lon, decimals: 7, to: &out)
                out.append(UInt8(ascii: ","))
                DecimalFormat.append(ll.lat, decimals: 7, to: &out)
                out.append(
                    contentsOf: "]},\"properties\":{\"participant_id\":\(p.id),\"rank\":\(rank + 1),\"distance_m\":"
                        .utf8)
                DecimalFormat.append(p.distanceMeters, decimals: 3, to: &out)
                out.append(contentsOf: ",\"country\":".utf8)
                out.append(contentsOf: (p.country.map { "\"\($0)\"" } ?? "null").utf8)
                out.append(contentsOf: "}}".utf8)
                try drain()
            }
            out.append(contentsOf: "\n]}\n".utf8)
        }
        try drain(true)
    }
}

/// Fixed-point decimal formatting without Foundation's `String(format:)`.
public enum DecimalFormat {
    /// Appends `value` with exactly `decimals` digits after the point, rounded half away from zero
    /// on the scaled value. Non-finite values are written as `nan`/`inf`.
    public static func append(_ value: Double, decimals: Int, to out: inout [UInt8]) {
        guard value.isFinite else {
            out.append(contentsOf: (value.isNaN ? "nan" : value < 0 ? "-inf" : "inf").utf8)
            return
        }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e18 else {
            out.append(contentsOf: String(value).utf8)
            return
        }
        var n = UInt64(scaled)
        if value < 0 && n != 0 { out.append(UInt8(ascii: "-")) }
        var digits: [UInt8] = []
        for _ in 0..<decimals {
            digits.append(UInt8(ascii: "0") + UInt8(n % 10))
            n /= 10
        }
        out.append(contentsOf: String(n).utf8)
        if decimals > 0 {
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits.reversed())
        }
    }

    /// `value` as text with `decimals` digits after the point.
    public static func string(_ value: Double, decimals: Int) -> String {
        var out: [UInt8] = []
        append(value, decimals: decimals, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
