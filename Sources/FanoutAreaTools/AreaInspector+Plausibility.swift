import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import Selection

// MARK: - Likely mistakes: swapped axes, metres as degrees, outside the service region

extension AreaInspector {
    /// The area in RD New and in lon/lat, vertex for vertex.
    struct Placement {
        var rd: [PlanarPolygon]
        var lonLat: [PlanarPolygon]
    }

    /// Looks for the usual mix-ups and, when there are none, places the area in RD New and lon/lat.
    ///
    /// - Returns: `nil` (with an error finding) when the vertices cannot be placed in the service
    ///   region: swapped lat/lon, RD metres given as degrees, swapped RD x/y, degrees given in a
    ///   projected CRS, the coordinates of another CRS, or simply elsewhere.
    func plausibility(_ area: AreaGeometry, into findings: inout Findings) -> Placement? {
        let points = area.polygons.flatMap { [$0.shell] + $0.holes }.flatMap { $0 }
        guard !points.isEmpty, points.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else {
            findings.add(.error, "outside-service-region", "the area has no finite coordinates")
            return nil
        }
        guard let lonLat = transform(points, from: area.crs, toRD: false) else {
            findings.add(
                .error, "outside-service-region", "the coordinates cannot be transformed from \(area.crs) to lon/lat")
            return nil
        }
        let outsideAt = lonLat.indices.filter { !ServiceRegion.contains(LonLat(lon: lonLat[$0].x, lat: lonLat[$0].y)) }
        if outsideAt.isEmpty, let rd = transform(points, from: area.crs, toRD: true) {
            return Placement(rd: reshape(rd, like: area.polygons), lonLat: reshape(lonLat, like: area.polygons))
        }
        // Counted as every message counts vertices: closing vertices left out.
        let closing = Set(Self.closingIndices(area.polygons))
        let outside = outsideAt.filter { !closing.contains($0) }.map { (points[$0], lonLat[$0]) }
        let first = outside.first?.0 ?? points[0]
        let count =
            "\(outside.count) of \(area.polygons.vertexCount) vertices lie outside the service region"
            + " (lon \(ServiceRegion.lonRange.lowerBound)…\(ServiceRegion.lonRange.upperBound),"
            + " lat \(ServiceRegion.latRange.lowerBound)…\(ServiceRegion.latRange.upperBound))"
        if area.crs == .wgs84 {
            if outside.allSatisfy({ ServiceRegion.contains(LonLat(lon: $0.0.y, lat: $0.0.x)) }) {
                findings.add(
                    .error, "lat-lon-swapped",
                    "\(count), but swapped they lie inside: \(area.notation.swapHint(first))",
                    at: .init(x: first.x, y: first.y))
                return nil
            }
            if points.contains(where: { abs($0.x) > 1000 || abs($0.y) > 1000 }) {
                let asRD = transform(points, from: .rdNew, toRD: false)
                let inRegion =
                    asRD.map { $0.allSatisfy { ServiceRegion.contains(LonLat(lon: $0.x, lat: $0.y)) } } ?? false
                findings.add(
                    .error, "rd-as-degrees",
                    "\(count): values such as \(area.notation.written(first)) are metres, not degrees"
                        + (inRegion
                            ? "; read as RD New (EPSG:28992) they lie in the Netherlands: give that CRS"
                                + " (or a GeoJSON crs member)"
                            : "; give the CRS they are in"),
                    at: .init(x: first.x, y: first.y))
                return nil
            }
        } else if area.crs == .rdNew,
            let swapped = transform(points.map { XY($0.y, $0.x) }, from: .rdNew, toRD: false),
            swapped.allSatisfy({ ServiceRegion.contains(LonLat(lon: $0.x, lat: $0.y)) })
        {
            findings.add(
                .error, "x-y-swapped",
                "\(count), but with x and y swapped they lie inside: the RD New x and y look swapped",
                at: .init(x: first.x, y: first.y))
            return nil
        }
        if area.crs != .wgs84,
            let misplaced = ServiceRegion.misplacement(
                of: area.polygons.distinctVertices, in: area.crs, notation: area.notation, converter: converter),
            let hint = misplaced.hint
        {
            // Degrees in a projected CRS (a legacy GeoJSON crs member, a GeoPackage layer's SRS or
            // --crs naming RD New over lon/lat values), or the coordinates of another CRS.
            findings.add(
                .error, misplaced.kind == .degreesAsMetres ? "degrees-as-metres" : "outside-service-region",
                "\(count): \(hint); the engine refuses such areas", at: .init(x: first.x, y: first.y))
            return nil
        }
        findings.add(
            .error, "outside-service-region",
            "\(count); the engine refuses such areas (first: \(area.notation.written(first)) in \(area.crs))",
            at: .init(x: first.x, y: first.y))
        return nil
    }

    private func transform(_ points: [XY], from crs: CRS, toRD: Bool) -> [XY]? {
        var xs = points.map(\.x)
        var ys = points.map(\.y)
        do {
            if toRD {
                try converter.toRD(xs: &xs, ys: &ys, from: crs)
            } else {
                try converter.toLonLat(xs: &xs, ys: &ys, from: crs)
            }
        } catch { return nil }
        guard xs.allSatisfy(\.isFinite), ys.allSatisfy(\.isFinite) else { return nil }
        return zip(xs, ys).map { XY($0, $1) }
    }

    /// The positions of the rings' closing vertices in the flat list of all vertices.
    static func closingIndices(_ polygons: [PlanarPolygon]) -> [Int] {
        var result: [Int] = []
        var start = 0
        for ring in polygons.flatMap({ [$0.shell] + $0.holes }) {
            if PlanarPolygon.distinct(ring).count < ring.count { result.append(start + ring.count - 1) }
            start += ring.count
        }
        return result
    }

    private func reshape(_ flat: [XY], like polygons: [PlanarPolygon]) -> [PlanarPolygon] {
        var i = 0
        func take(_ n: Int) -> [XY] {
            defer { i += n }
            return Array(flat[i..<(i + n)])
        }
        return polygons.map { p in PlanarPolygon(shell: take(p.shell.count), holes: p.holes.map { take($0.count) }) }
    }
}

/// Contact rates for estimating how long reaching everyone in an area takes.
///
/// The defaults are BE-Alert's published capacities: 100 SMS per second, 600 simultaneous voice
/// calls of about 60 s each, 10,000 e-mails per second. Until a dispatcher plans the real mix,
/// the headline estimate assumes everyone gets an SMS.
public struct ChannelRates: Sendable, Equatable {
    /// SMS sent per second.
    public var smsPerSecond: Double
    /// Voice calls running at once.
    public var simultaneousCalls: Double
    /// Seconds one call takes.
    public var secondsPerCall: Double
    /// E-mails sent per second.
    public var emailsPerSecond: Double

    /// BE-Alert's rates: 100 SMS/s, 600 calls of 60 s at once, 10,000 e-mails/s.
    public static let beAlert = ChannelRates(
        smsPerSecond: 100, simultaneousCalls: 600, secondsPerCall: 60, emailsPerSecond: 10_000)

    /// Creates rates.
    public init(smsPerSecond: Double, simultaneousCalls: Double, secondsPerCall: Double, emailsPerSecond: Double) {
        self.smsPerSecond = smsPerSecond
        self.simultaneousCalls = simultaneousCalls
        self.secondsPerCall = secondsPerCall
        self.emailsPerSecond = emailsPerSecond
    }

    /// Seconds until the last of `count` participants is reached, per channel alone.
    ///
    /// SMS: count / rate; voice: ⌈count / lines⌉ rounds of one call each; e-mail: count / rate.
    public func estimates(count: Int) -> [AreaCheckReport.ReachEstimate] {
        let n = Double(count)
        return [
            .init(channel: "sms", rate: "\(fmt(smsPerSecond, 0)) SMS/s", seconds: n / smsPerSecond),
            .init(
                channel: "voice",
                rate: "\(fmt(simultaneousCalls, 0)) simultaneous calls of \(fmt(secondsPerCall, 0)) s",
                seconds: (n / simultaneousCalls).rounded(.up) * secondsPerCall),
            .init(channel: "email", rate: "\(fmt(emailsPerSecond, 0)) e-mails/s", seconds: n / emailsPerSecond),
        ]
    }

    /// The participants part of a check report for a selection.
    func participants(_ result: SelectionResult) -> AreaCheckReport.Participants {
        let estimates = estimates(count: result.participants.count)
        return AreaCheckReport.Participants(
            total: result.participants.count,
            byCountry: Dictionary(uniqueKeysWithValues: result.countsByCountry.map { ($0.country, $0.count) }),
            secondsToLast: estimates[0].seconds,
            assumption: "everyone by SMS at \(estimates[0].rate) (BE-Alert rate); other channels alone in by_channel",
            byChannel: estimates)
    }
}
