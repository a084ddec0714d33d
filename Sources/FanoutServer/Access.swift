import FanoutCore
import Foundation
import Geo
import GeoFormats
import Synchronization

/// What a token holder may do.
public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
    /// Starts, enlarges, stops and ends actions whose incident lies in its region; reads them.
    case dispatcher
    /// Makes selections and checks areas; starts nothing.
    case gis
    /// Reads everything (actions, audit); changes nothing.
    case auditor
    /// Registers, moves and removes participants.
    case registrar
}

/// What a request may do, by route: each route names one permission.
public enum Permission: String, Sendable, CaseIterable {
    /// `POST /v1/selections`.
    case select
    /// Start, enlarge, stop, end.
    case commandActions
    /// List and read actions, their events and CAP.
    case readActions
    /// Explain one participant of an action (personal data stays masked).
    case explain
    /// `GET /v1/audit`.
    case readAudit
    /// Register, move and remove participants.
    case writeParticipants

    /// The roles that hold this permission.
    public var roles: Set<Role> {
        switch self {
        case .select: [.dispatcher, .gis]
        case .commandActions: [.dispatcher]
        case .readActions: [.dispatcher, .gis, .auditor]
        case .explain: [.dispatcher, .auditor]
        case .readAudit: [.auditor, .dispatcher]
        case .writeParticipants: [.registrar]
        }
    }
}

/// The token holder a request was made by.
public struct Principal: Sendable, Hashable {
    /// Who (the configuration's subject; the audit's operator).
    public var subject: String
    /// What it may do.
    public var role: Role
    /// Index of its token in the configuration (its rate bucket).
    var tokenIndex: Int
}

/// The configured tokens by hash, with each dispatcher's region.
final class TokenBook: Sendable {
    private let byHash: [String: Principal]
    /// Requests per minute, by token index.
    private let rates: [Int: Int]
    private let regions: [Int: Region]
    private let buckets: Mutex<[Int: TokenBucket]>

    /// Builds the book; regions are loaded here (municipality names must exist).
    ///
    /// - Throws: ``ServeError`` `.config` for an unknown municipality or a bad region polygon.
    init(_ config: ServeConfiguration, data: DataDirectory, municipalities: () throws -> Municipalities) throws {
        var byHash: [String: Principal] = [:]
        var rates: [Int: Int] = [:]
        var regions: [Int: Region] = [:]
        for (i, t) in config.tokens.enumerated() {
            byHash[t.sha256] = Principal(subject: t.subject, role: t.role, tokenIndex: i)
            rates[i] = t.requestsPerMinute ?? config.limits.requestsPerMinute
            if let spec = t.region {
                regions[i] = try Region(spec, data: data, municipalities: municipalities, field: "tokens[\(i)].region")
            }
        }
        self.byHash = byHash
        self.rates = rates
        self.regions = regions
        buckets = Mutex([:])
    }

    /// The principal of a bearer token value, if the configuration lists it.
    func principal(token: String) -> Principal? {
        byHash[ServeConfiguration.hash(token: token)]
    }

    /// Takes one request from the token's bucket.
    ///
    /// - Returns: `nil` when allowed, or the seconds until the next request would be.
    func take(_ principal: Principal, now: ContinuousClock.Instant = .now) -> Int? {
        guard let rate = rates[principal.tokenIndex] else {
            return nil
        }
        return buckets.withLock { b in
            var bucket = b[principal.tokenIndex] ?? TokenBucket(perMinute: rate, now: now)
            defer { b[principal.tokenIndex] = bucket }
            return bucket.take(now: now)
        }
    }

    /// The principal's region (`nil`: the whole service region).
    func region(of principal: Principal) -> Region? { regions[principal.tokenIndex] }
}

/// A token bucket: `perMinute` requests a minute, bursts up to the same number.
struct TokenBucket: Sendable {
    private var tokens: Double
    private let capacity: Double
    private let perSecond: Double
    private var last: ContinuousClock.Instant

    init(perMinute: Int, now: ContinuousClock.Instant) {
        capacity = Double(perMinute)
        tokens = capacity
        perSecond = Double(perMinute) / 60
        last = now
    }

    /// Takes one; `nil` when there was one, else the whole seconds until there is.
    mutating func take(now: ContinuousClock.Instant) -> Int? {
        let elapsed = now - last
        last = now
        tokens = min(capacity, tokens + (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * perSecond)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return max(1, Int(((1 - tokens) / perSecond).rounded(.up)))
    }
}

/// A dispatcher's region: municipalities (looked up in the municipality layer) or a polygon.
final class Region: @unchecked Sendable {
    // @unchecked: the GEOS objects are used under `lock` only, one thread at a time.
    private let lock = NSLock()
    private let context: GEOSContext
    private let prepared: GEOSPreparedGeometry
    private let converter: CoordinateConverter
    /// Whether the prepared geometry is in RD New (municipalities) rather than WGS84.
    private let inRD: Bool
    /// A description for messages ("municipalities Utrecht, Zeist" or "its polygon").
    let name: String

    init(
        _ spec: ServeConfiguration.RegionSpec, data: DataDirectory, municipalities: () throws -> Municipalities, field: String
    ) throws {
        context = try GEOSContext()
        switch spec {
        case .municipalities(let names):
            var polygons: [PlanarPolygon] = []
            var found: [String] = []
            let municipalities = try municipalities()
            for n in names {
                guard let m = municipalities.list.first(where: {
                    $0.code.caseInsensitiveCompare(n) == .orderedSame || $0.name.caseInsensitiveCompare(n) == .orderedSame
                }) else {
                    throw ServeError(.config, "\(field).municipalities: no municipality is named or coded '\(n.prefix(60))'")
                }
                polygons += m.polygons
                found.append(m.name)
            }
            let geometry = try context.makeMultiPolygon(polygons).makeValid(method: .structure)
            prepared = try geometry.prepared()
            converter = try CoordinateConverter(data: data)
            inRD = true
            name = "municipalities " + found.joined(separator: ", ")
        case .polygon(let text):
            let area: AreaGeometry
            do { area = try AreaReader.parseGeoJSON(Data(text.utf8), name: field + ".polygon") } catch {
                throw ServeError(.config, "\(field).polygon: \((error as? any FanoutError)?.message ?? "\(error)")")
            }
            guard area.crs == .wgs84 else { throw ServeError(.config, "\(field).polygon: must be WGS84 longitude/latitude") }
            prepared = try context.makeMultiPolygon(area.polygons).makeValid(method: .structure).prepared()
            converter = try CoordinateConverter(data: data)
            inRD = false
            name = "its polygon"
        }
    }

    /// Whether the region covers a WGS84 point (its boundary included).
    func covers(_ p: LonLat) throws -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if inRD {
            let rd = try converter.toRD(p)
            return try prepared.covers(x: rd.x, y: rd.y)
        }
        return try prepared.covers(x: p.lon, y: p.lat)
    }

    /// Whether the region covers an RD New point (its boundary included).
    func covers(rd: RDPoint) throws -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if inRD { return try prepared.covers(x: rd.x, y: rd.y) }
        guard let p = try converter.toLonLat([rd]).first else { return false }
        return try prepared.covers(x: p.lon, y: p.lat)
    }
}
