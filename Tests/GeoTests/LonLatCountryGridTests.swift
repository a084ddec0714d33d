import Foundation
import GeoTestSupport
import Testing

@testable import Geo

@Suite struct LonLatCountryGridTests {
    let grid: LonLatCountryGrid

    init() throws {
        grid = try LonLatCountryGrid.load()
    }

    @Test(arguments: CountryLocatorTests.places)
    func placesLieInTheirCountry(_ place: BorderPlace) {
        #expect(grid.country(lon: place.lon, lat: place.lat) == place.country)
    }

    @Test func theCountriesAreInPrecedenceOrder() {
        #expect(grid.countries == [.nl, .be, .de])
    }

    /// The independent oracle is the GEOS locator in RD New: a position may only get another answer
    /// where it lies within centimetres of a border (edges straight in lon/lat here, in RD New there).
    @Test func answersAsTheGEOSLocatorDoesAwayFromTheBorders() throws {
        let converter = try CoordinateConverter()
        let locator = try CountryLocator(borders: try sharedBorders.get())
        var lons: [Double] = []
        var lats: [Double] = []
        // Uniform over the region, plus dense squares of 4 km around border towns (Baarle, Venlo,
        // Kerkrade, Gronau, Lanaken), where most answers come from the exact path.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func unit() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        for _ in 0..<40_000 {
            lons.append(2.5 + 5.5 * unit())
            lats.append(49.5 + 4.5 * unit())
        }
        for (lon, lat) in [(4.93, 51.44), (6.20, 51.37), (6.07, 50.86), (7.03, 52.22), (5.66, 50.88)] {
            for _ in 0..<12_000 {
                lons.append(lon - 0.03 + 0.06 * unit())
                lats.append(lat - 0.02 + 0.04 * unit())
            }
        }
        var xs = lons
        var ys = lats
        try converter.toRD(xs: &xs, ys: &ys, from: .wgs84)
        var disagreements = 0
        var exact = 0
        var seen: Set<CountryCode?> = []
        for i in lons.indices {
            let fast = grid.country(lon: lons[i], lat: lats[i])
            seen.insert(fast)
            let rd = RDPoint(x: xs[i], y: ys[i])
            let slow = try locator.country(at: rd)
            if slow.onBorder { exact += 1 }
            guard fast != slow.country else { continue }
            disagreements += 1
            let nearest =
                try [CountryCode.nl, .be, .de].compactMap { try locator.distanceToBoundary(from: rd, of: $0) }
                .min() ?? .infinity
            #expect(nearest < 0.05, "(\(lons[i]), \(lats[i])): grid \(fast as Any), GEOS \(slow), \(nearest) m")
        }
        #expect(seen == [.nl, .be, .de, nil])
        #expect(exact > 100, "only \(exact) points within 25 m of a border: the sample misses the borders")
        print("LonLatCountryGrid: \(lons.count) points, \(exact) within 25 m of a border, \(disagreements) disagree")
    }

    @Test func outsideTheGridAndNaNAreNoCountry() {
        #expect(grid.country(lon: -170, lat: 10) == nil)
        #expect(grid.country(lon: .nan, lat: 52) == nil)
        #expect(grid.country(lon: 5, lat: .infinity) == nil)
    }

    @Test func aMissingFileIsAClearError() throws {
        let url = URL(fileURLWithPath: "/nonexistent/borders.geojson")
        #expect {
            _ = try LonLatCountryGrid.load(.file(url))
        } throws: { error in
            "\(error)".contains("/nonexistent/borders.geojson")
        }
    }
}
