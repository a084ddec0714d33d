import Foundation
import GeoTestSupport
import Testing

@testable import Geo

/// Map projections computed here from their textbook formulas (EPSG Guidance Note 7-2), as
/// independent expectations for the engine's PROJ paths from each supported input CRS.
enum Textbook {
    static let grs80 = (a: 6_378_137.0, f: 1 / 298.257222101)

    /// Lambert Conformal Conic (2SP), EPSG method 9802.
    static func lcc2SP(
        lon: Double, lat: Double, lat1: Double, lat2: Double, lat0: Double, lon0: Double, x0: Double, y0: Double,
        a: Double, f: Double
    ) -> (x: Double, y: Double) {
        let e = (2 * f - f * f).squareRoot()
        let rad = Double.pi / 180
        func m(_ p: Double) -> Double { cos(p) / (1 - e * e * sin(p) * sin(p)).squareRoot() }
        func t(_ p: Double) -> Double {
            tan(Double.pi / 4 - p / 2) / pow((1 - e * sin(p)) / (1 + e * sin(p)), e / 2)
        }
        let (p1, p2, p0, p) = (lat1 * rad, lat2 * rad, lat0 * rad, lat * rad)
        let n = (log(m(p1)) - log(m(p2))) / (log(t(p1)) - log(t(p2)))
        let F = m(p1) / (n * pow(t(p1), n))
        let r = a * F * pow(t(p), n)
        let r0 = lat0 == 90 ? 0 : a * F * pow(t(p0), n)
        let theta = n * (lon - lon0) * rad
        return (x0 + r * sin(theta), y0 + r0 - r * cos(theta))
    }

    /// Transverse Mercator by Krüger's series to n^4 (sub-millimetre within a UTM zone).
    static func transverseMercator(lon: Double, lat: Double, lon0: Double, k0: Double, x0: Double, y0: Double)
        -> (x: Double, y: Double)
    {
        let (a, f) = grs80
        let n = f / (2 - f)
        let A = a / (1 + n) * (1 + n * n / 4 + n * n * n * n / 64)
        let alpha = [
            n / 2 - 2 * n * n / 3 + 5 * n * n * n / 16 + 41 * n * n * n * n / 180,
            13 * n * n / 48 - 3 * n * n * n / 5 + 557 * n * n * n * n / 1440,
            61 * n * n * n / 240 - 103 * n * n * n * n / 140,
            49561 * n * n * n * n / 161280,
        ]
        let e = (2 * f - f * f).squareRoot()
        let rad = Double.pi / 180
        let phi = lat * rad
        let lambda = (lon - lon0) * rad
        let t = sinh(atanh(sin(phi)) - e * atanh(e * sin(phi)))
        let xi = atan2(t, cos(lambda))
        let eta = atanh(sin(lambda) / (1 + t * t).squareRoot())
        var x = eta
        var y = xi
        for j in 1...4 {
            let jj = Double(2 * j)
            y += alpha[j - 1] * sin(jj * xi) * cosh(jj * eta)
            x += alpha[j - 1] * cos(jj * xi) * sinh(jj * eta)
        }
        return (x0 + k0 * A * x, y0 + k0 * A * y)
    }
}

@Suite struct SourceCRSTests {
    /// ETRS89 points along the borders: Maastricht, Vaals, Baarle, Kerkrade, Enschede, Venlo, Aachen, Antwerp.
    static let points: [(lon: Double, lat: Double)] = [
        (5.6913, 50.8514), (6.0189, 50.7706), (4.9300, 51.4400), (6.0650, 50.8655), (6.8937, 52.2215),
        (6.1724, 51.3704), (6.0838, 50.7753), (4.4003, 51.2194),
    ]

    /// Transforms `xy` given in `crs` to RD New and compares with the same places given in ETRS89.
    func expectSameRD(_ xy: [(x: Double, y: Double)], crs: CRS, toleranceMeters: Double) throws -> Double {
        let converter = try CoordinateConverter()
        var ex = Self.points.map(\.lon)
        var ey = Self.points.map(\.lat)
        try converter.toRD(xs: &ex, ys: &ey, from: CRS(epsg: 4258))
        var xs = xy.map(\.x)
        var ys = xy.map(\.y)
        try converter.toRD(xs: &xs, ys: &ys, from: crs)
        var worst = 0.0
        for i in xy.indices {
            worst = max(worst, ((xs[i] - ex[i]) * (xs[i] - ex[i]) + (ys[i] - ey[i]) * (ys[i] - ey[i])).squareRoot())
        }
        #expect(worst <= toleranceMeters, "\(crs): worst difference \(worst) m")
        return worst
    }

    @Test func wgs84AndETRS89AreTheSameInput() throws {
        let converter = try CoordinateConverter()
        var ax = Self.points.map(\.lon)
        var ay = Self.points.map(\.lat)
        var bx = ax
        var by = ay
        try converter.toRD(xs: &ax, ys: &ay, from: .wgs84)
        try converter.toRD(xs: &bx, ys: &by, from: CRS(epsg: 4258))
        #expect(ax == bx && ay == by)
    }

    @Test func belgianLambert2008MatchesTheTextbookProjection() throws {
        let xy = Self.points.map {
            Textbook.lcc2SP(
                lon: $0.lon, lat: $0.lat, lat1: 49 + 50 / 60.0, lat2: 51 + 10 / 60.0,
                lat0: 50 + 47 / 60.0 + 52.134 / 3600,
                lon0: 4 + 21 / 60.0 + 33.177 / 3600, x0: 649_328, y0: 665_262, a: Textbook.grs80.a, f: Textbook.grs80.f)
        }
        let worst = try expectSameRD(xy, crs: CRS(epsg: 3812), toleranceMeters: 0.001)
        print("EPSG:3812 vs textbook Lambert conformal conic: worst \(worst) m")
    }

    @Test func utm32NMatchesTheTextbookProjection() throws {
        let xy = Self.points.map {
            Textbook.transverseMercator(lon: $0.lon, lat: $0.lat, lon0: 9, k0: 0.9996, x0: 500_000, y0: 0)
        }
        let worst = try expectSameRD(xy, crs: CRS(epsg: 25832), toleranceMeters: 0.001)
        print("EPSG:25832 vs textbook transverse Mercator: worst \(worst) m")
    }

    @Test func webMercatorMatchesItsClosedForm() throws {
        let r = 6_378_137.0
        let xy = Self.points.map {
            (x: r * $0.lon * .pi / 180, y: r * log(tan(.pi / 4 + $0.lat * .pi / 360)))
        }
        _ = try expectSameRD(xy, crs: CRS(epsg: 3857), toleranceMeters: 0.001)
    }

    @Test func belgianLambert72ProjectionMatchesTheTextbookAndEPSGExample() throws {
        // The projection part alone: BD72 geographic (EPSG:4313) → Belgian Lambert 72.
        let converter = try CoordinateConverter()
        let t = try converter.transformer(from: CRS(epsg: 4313), to: CRS(epsg: 31370))
        let intl = (a: 6_378_388.0, f: 1 / 297.0)
        for p in Self.points {
            let got = try t.transform(x: p.lon, y: p.lat)
            let want = Textbook.lcc2SP(
                lon: p.lon, lat: p.lat, lat1: 51 + 10 / 60.0 + 0.00204 / 3600, lat2: 49 + 50 / 60.0 + 0.00204 / 3600,
                lat0: 90, lon0: 4 + 22 / 60.0 + 2.952 / 3600, x0: 150_000.013, y0: 5_400_088.438, a: intl.a, f: intl.f)
            #expect(abs(got.x - want.x) < 0.001 && abs(got.y - want.y) < 0.001, "\(p): \(got) vs \(want)")
        }
        // EPSG Guidance Note 7-2, Lambert Conic Conformal (2SP Belgium) example:
        // 50°40'46.461"N 5°48'26.533"E (BD72) → E 251763.20 m, N 153034.13 m.
        let example = try t.transform(x: 5 + 48 / 60.0 + 26.533 / 3600, y: 50 + 40 / 60.0 + 46.461 / 3600)
        #expect(abs(example.x - 251_763.20) < 0.05 && abs(example.y - 153_034.13) < 0.05, "\(example)")
    }

    @Test func belgianLambert72InputGoesThroughETRS89() throws {
        // The engine's 31370 → RD path agrees with ETRS89 → 31370 → RD (PROJ's BD72 transformation
        // both ways), and BD72 sits about 100 m from ETRS89 as the datums do in Belgium.
        let converter = try CoordinateConverter()
        let t = try converter.transformer(from: CRS(epsg: 4258), to: CRS(epsg: 31370))
        let l72 = try Self.points.map { try t.transform(x: $0.lon, y: $0.lat) }
        let worst = try expectSameRD(l72.map { (x: $0.x, y: $0.y) }, crs: CRS(epsg: 31370), toleranceMeters: 0.01)
        print("EPSG:31370 round trip through PROJ's BD72 transformation: worst \(worst) m")
        let pure = try converter.transformer(from: CRS(epsg: 4313), to: CRS(epsg: 31370))
        for (i, p) in Self.points.enumerated() {
            let naive = try pure.transform(x: p.lon, y: p.lat)  // ETRS89 degrees taken as BD72: wrong datum
            let shift = ((naive.x - l72[i].x) * (naive.x - l72[i].x) + (naive.y - l72[i].y) * (naive.y - l72[i].y))
                .squareRoot()
            #expect((50...200).contains(shift), "datum shift at \(p): \(shift) m")
        }
    }

    @Test func rdNewInputIsUntouched() throws {
        var xs = [155_000.0, 121_400.123]
        var ys = [463_000.0, 487_400.456]
        let report = try CoordinateConverter().toRD(xs: &xs, ys: &ys, from: .rdNew)
        #expect(xs == [155_000.0, 121_400.123] && ys == [463_000.0, 487_400.456])
        #expect(report.allCorrected)
    }
}
