import Foundation
import TestSupport
import Testing

@testable import FanoutEngine
import Geo
@testable import GeoFormats
import Participants
import Selection
import FanOut
import ProviderAdapters
@testable import FanoutAreaTools
import FanoutTesting
@testable import FanoutDesk
@testable import FanoutLab
import Synthetic

/// Vincenty's inverse formula (1975), an independent check on PROJ's geodesic distances.
func vincentyDistance(_ p: LonLat, _ q: LonLat) -> Double {
    let a = 6_378_137.0
    let f = 1 / 298.257223563
    let b = a * (1 - f)
    let rad = Double.pi / 180
    let L = (q.lon - p.lon) * rad
    let U1 = atan((1 - f) * tan(p.lat * rad))
    let U2 = atan((1 - f) * tan(q.lat * rad))
    var lambda = L
    var sinSigma = 0.0
    var cosSigma = 0.0
    var sigma = 0.0
    var cos2Alpha = 0.0
    var cos2SigmaM = 0.0
    for _ in 0..<200 {
        let sinL = sin(lambda)
        let cosL = cos(lambda)
        sinSigma =
            ((cos(U2) * sinL) * (cos(U2) * sinL)
            + (cos(U1) * sin(U2) - sin(U1) * cos(U2) * cosL) * (cos(U1) * sin(U2) - sin(U1) * cos(U2) * cosL))
            .squareRoot()
        cosSigma = sin(U1) * sin(U2) + cos(U1) * cos(U2) * cosL
        sigma = atan2(sinSigma, cosSigma)
        let sinAlpha = cos(U1) * cos(U2) * sinL / sinSigma
        cos2Alpha = 1 - sinAlpha * sinAlpha
        cos2SigmaM = cosSigma - 2 * sin(U1) * sin(U2) / cos2Alpha
        let C = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha))
        let next =
            L + (1 - C) * f * sinAlpha
            * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)))
        if abs(next - lambda) < 1e-13 {
            lambda = next
            break
        }
        lambda = next
    }
    let u2 = cos2Alpha * (a * a - b * b) / (b * b)
    let A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
    let B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
    let deltaSigma =
        B * sinSigma
        * (cos2SigmaM + B / 4
            * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM) - B / 6 * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma)
                * (-3 + 4 * cos2SigmaM * cos2SigmaM)))
    return b * A * (sigma - deltaSigma)
}

@Suite struct GeodesicTests {
    static let kerkrade = LonLat(lon: 6.0650, lat: 50.8655)

    /// Participants on a 250 m grid over Aachen and the border around Kerkrade.
    static func engine() throws -> (Engine, [Int64: LonLat]) {
        var lonLats: [LonLat] = []
        var lon = 5.90
        while lon <= 6.25 {
            var lat = 50.70
            while lat <= 51.00 {
                lonLats.append(LonLat(lon: lon, lat: lat))
                lat += 0.00225
            }
            lon += 0.0035
        }
        let rd = try CoordinateConverter().toRD(lonLats)
        var columns = ParticipantColumns()
        for (i, p) in lonLats.enumerated() {
            columns.append(id: Int64(i + 1), x: rd[i].x, y: rd[i].y, country: p.lon > 6.02 ? .de : .nl)
        }
        let byID = Dictionary(uniqueKeysWithValues: lonLats.enumerated().map { (Int64($0.offset + 1), $0.element) })
        return (try Engine(columns: columns), byID)
    }

    @Test func geodesicDistancesAgreeWithVincenty() {
        var rng = SeededRandom(seed: 8)
        for _ in 0..<500 {
            let p = LonLat(lon: Double.random(in: 2...8, using: &rng), lat: Double.random(in: 49.5...54, using: &rng))
            let q = LonLat(lon: Double.random(in: 2...8, using: &rng), lat: Double.random(in: 49.5...54, using: &rng))
            #expect(abs(Geodesic.wgs84.distance(from: p, to: q) - vincentyDistance(p, q)) < 1e-4)
        }
    }

    @Test func rdCircleAroundKerkradeVersusTheGeodesicCircle() throws {
        let (engine, lonLatOf) = try Self.engine()
        let rdResult = try engine.select(
            SelectionRequest(area: .circle(center: Self.kerkrade, radiusMeters: 15_000)))
        let geo = try engine.select(
            SelectionRequest(area: .circle(center: Self.kerkrade, radiusMeters: 15_000), distance: .geodesic))
        // Oracle: the geodesic circle by brute force over every participant.
        let expected = lonLatOf.filter { Geodesic.wgs84.distance(from: Self.kerkrade, to: $0.value) <= 15_000 }.keys
        #expect(Set(geo.participants.map(\.id)) == Set(expected))
        #expect(geo.participants.map(\.distanceMeters) == geo.participants.map(\.distanceMeters).sorted(by: >))
        // How far RD New is off here, for participants in Aachen (east of 6.02 E).
        var worst = 0.0
        var sum = 0.0
        var n = 0
        for p in rdResult.participants where lonLatOf[p.id, default: LonLat(lon: 0, lat: 0)].lon > 6.02 {
            let g = Geodesic.wgs84.distance(from: Self.kerkrade, to: lonLatOf[p.id, default: LonLat(lon: 0, lat: 0)])
            worst = max(worst, abs(p.distanceMeters - g))
            sum += p.distanceMeters - g
            n += 1
        }
        let onlyRD = Set(rdResult.participants.map(\.id)).subtracting(geo.participants.map(\.id)).count
        let onlyGeo = Set(geo.participants.map(\.id)).subtracting(rdResult.participants.map(\.id)).count
        print(
            "Kerkrade 15 km: RD New vs geodesic distance for \(n) participants in Aachen: max |difference| "
                + "\(DecimalFormat.string(worst, decimals: 3)) m, mean \(DecimalFormat.string(sum / Double(n), decimals: 3)) m; "
                + "\(onlyRD) in the RD circle only, \(onlyGeo) in the geodesic circle only, of \(geo.participants.count)"
        )
        #expect(n > 1_000)
        #expect(worst > 0.05 && worst < 3, "RD New's scale error near Kerkrade is of the order of a metre at 15 km")
    }

    @Test func countryFilterKeepsOnlyThoseCountries() throws {
        let (engine, _) = try Self.engine()
        let all = try engine.select(SelectionRequest(area: .circle(center: Self.kerkrade, radiusMeters: 8_000)))
        let de = try engine.select(
            SelectionRequest(area: .circle(center: Self.kerkrade, radiusMeters: 8_000), countries: [.de]))
        #expect(de.participants == all.participants.filter { $0.country == .de })
        #expect(!de.participants.isEmpty && de.participants.count < all.participants.count)
        #expect(de.countsByCountry.map(\.country) == ["DE"])
    }
}
