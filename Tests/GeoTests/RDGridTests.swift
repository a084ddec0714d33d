import Foundation
import GeoTestSupport
import TestSupport
import Testing

@testable import Geo

/// The grid's extent as its NTv2 header states it (degrees, east positive), read independently of `Geo`.
private struct NTv2Extent {
    var south: Double
    var north: Double
    var west: Double
    var east: Double

    init(file: URL) throws {
        let data = try Data(contentsOf: file)
        func record(_ offset: Int, _ key: String) throws -> Double {
            let name = String(decoding: data[offset..<offset + 8], as: UTF8.self)
            guard name.trimmingCharacters(in: .whitespaces) == key else {
                throw GeoError(.parse, "NTv2 record at \(offset) is \(name), expected \(key)")
            }
            let bits = data[offset + 8..<offset + 16].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return Double(bitPattern: bits)  // little-endian float64
        }
        let sub = 11 * 16  // the sub-file header follows the 11 overview records
        south = try record(sub + 4 * 16, "S_LAT") / 3600
        north = try record(sub + 5 * 16, "N_LAT") / 3600
        east = -(try record(sub + 6 * 16, "E_LONG")) / 3600  // NTv2 longitudes are positive west
        west = -(try record(sub + 7 * 16, "W_LONG")) / 3600
    }

    func contains(lon: Double, lat: Double) -> Bool { (west...east).contains(lon) && (south...north).contains(lat) }
}

/// Value at quantile `q` of sorted values.
private func quantile(_ sorted: [Double], _ q: Double) -> Double {
    sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))]
}

@Suite struct RDGridTests {
    static let gridFile = Fixtures.packageRoot.appendingPathComponent("data/rdtrans2018.gsb")

    /// Bessel (Amersfoort) lon/lat of NSGI's own RD answers, by PROJ's inverse of the RD New projection
    /// (`EPSG:28992` → `EPSG:4289`, a conversion: no datum, no grid).
    static func besselOfNSGIAnswers(_ points: [NSGIPoint]) throws -> (lons: [Double], lats: [Double]) {
        var xs = points.map(\.x)
        var ys = points.map(\.y)
        try Transformer(from: .rdNew, to: CRS(epsg: 4289), context: try PROJContext()).transform(xs: &xs, ys: &ys)
        return (xs, ys)
    }

    @Test func gridHeaderCoversFiftyToFiftySixNorthTwoToEightEast() throws {
        let extent = try NTv2Extent(file: Self.gridFile)
        #expect(extent.south == 50 && extent.north == 56 && extent.west == 2 && extent.east == 8)
        #expect(extent.south == RDCorrectionGrid.south && extent.north == RDCorrectionGrid.north)
        #expect(extent.west == RDCorrectionGrid.west && extent.east == RDCorrectionGrid.east)
    }

    @Test func z001IsWithinAMillimetreAndPointsOutsideTheGridAreFlagged() throws {
        let points = try loadZ001()
        #expect(points.count == 10_000)
        let converter = try CoordinateConverter()
        guard case .correctionGrid(let path) = converter.rdAccuracy, path.hasSuffix("/rdtrans2018.gsb") else {
            Issue.record("the converter should use the grid, not \(converter.rdAccuracy)")
            return
        }
        var xs = points.map(\.lon)
        var ys = points.map(\.lat)
        let report = try converter.toRD(xs: &xs, ys: &ys, from: CRS(epsg: 4258))

        // Independent expectation: the grid applies where NSGI's RD answer lies in the grid's extent.
        let extent = try NTv2Extent(file: Self.gridFile)
        let bessel = try Self.besselOfNSGIAnswers(points)
        let expectedOutside = points.indices.filter { !extent.contains(lon: bessel.lons[$0], lat: bessel.lats[$0]) }
        #expect(report.pointCount == 10_000)
        #expect(report.uncorrected == expectedOutside)
        let etrsOutside = points.filter { !extent.contains(lon: $0.lon, lat: $0.lat) }.count

        var inside: (dx: Double, dy: Double, e: [Double]) = (0, 0, [])
        var outside: (dx: Double, dy: Double, e: [Double]) = (0, 0, [])
        let uncorrected = Set(report.uncorrected)
        for (i, p) in points.enumerated() {
            let dx = abs(xs[i] - p.x)
            let dy = abs(ys[i] - p.y)
            let e = (dx * dx + dy * dy).squareRoot()
            if uncorrected.contains(i) {
                outside = (max(outside.dx, dx), max(outside.dy, dy), outside.e + [e])
            } else {
                inside = (max(inside.dx, dx), max(inside.dy, dy), inside.e + [e])
            }
        }
        inside.e.sort()
        outside.e.sort()
        print(
            """
            Z001 (RDNAPTRANS2018 with the grid): \(inside.e.count) points inside the grid: \
            max |dx| \(inside.dx) m, max |dy| \(inside.dy) m, max \(inside.e.last ?? .nan) m, \
            p99 \(quantile(inside.e, 0.99)) m; \(outside.e.count) outside the grid (flagged; \(etrsOutside) with \
            ETRS89 outside 50-56 N, 2-8 E, \(outside.e.count - etrsOutside) at the edge): max |dx| \(outside.dx) m, \
            max |dy| \(outside.dy) m, max \(outside.e.last ?? .nan) m
            """)
        #expect(inside.e.count == 7_870)
        #expect(outside.e.count == 2_130)
        #expect(inside.dx <= 0.001 && inside.dy <= 0.001)
        #expect(outside.dx <= 0.001 && outside.dy <= 0.001)
    }

    @Test func z001RDAnswersGoBackToNSGIsETRS89WithinAMillimetreInsideTheGrid() throws {
        let points = try loadZ001()
        let converter = try CoordinateConverter()
        var xs = points.map(\.x)
        var ys = points.map(\.y)
        let report = try converter.toLonLat(xs: &xs, ys: &ys, from: .rdNew)
        #expect(report.uncorrected.count == 2_130)
        let uncorrected = Set(report.uncorrected)
        var worst = (inside: 0.0, outside: 0.0)
        for (i, p) in points.enumerated() {
            let metresPerDegree = 111_320.0
            let dn = abs(ys[i] - p.lat) * metresPerDegree
            let de = abs(xs[i] - p.lon) * metresPerDegree * cos(p.lat * .pi / 180)
            if uncorrected.contains(i) {
                worst.outside = max(worst.outside, dn, de)
            } else {
                worst.inside = max(worst.inside, dn, de)
            }
        }
        print("Z001 RD -> ETRS89: max \(worst.inside) m inside the grid, \(worst.outside) m outside (north or east)")
        #expect(worst.inside <= 0.001)
        // Outside, RDNAPTRANS2018 fixes the height at 0 m on Bessel going back but 43 m in ETRS89
        // going forth, so far from the Netherlands the two directions differ by a few millimetres.
        #expect(worst.outside <= 0.005)
    }

    @Test func roundTripFromRDThroughWGS84StaysWithinAMillimetreInsideTheGrid() throws {
        let points = try loadZ001()
        let converter = try CoordinateConverter()
        var xs = points.map(\.x)
        var ys = points.map(\.y)
        let back = try converter.toLonLat(xs: &xs, ys: &ys, from: .rdNew)
        let forth = try converter.toRD(xs: &xs, ys: &ys, from: .wgs84)
        #expect(back.uncorrected == forth.uncorrected)
        let uncorrected = Set(forth.uncorrected)
        var worst = (inside: 0.0, near: 0.0, outside: 0.0)
        for (i, p) in points.enumerated() {
            let e = max(abs(xs[i] - p.x), abs(ys[i] - p.y))
            if !uncorrected.contains(i) {
                worst.inside = max(worst.inside, e)
            } else if (49...57).contains(p.lat) && (1...9).contains(p.lon) {
                worst.near = max(worst.near, e)
            } else {
                worst.outside = max(worst.outside, e)
            }
        }
        print(
            "Z001 RD -> WGS84 -> RD: max \(worst.inside) m inside the grid, \(worst.near) m outside it within 1°,"
                + " \(worst.outside) m farther out")
        #expect(worst.inside <= 0.001)
        #expect(worst.near <= 0.001)
        #expect(worst.outside <= 0.005)  // see above: the fixed heights differ by direction
    }

    @Test func twoPartRouteEqualsTheSingleVariant2Pipeline() throws {
        let points = try loadZ001()
        let converter = try CoordinateConverter()
        var xs = points.map(\.lon)
        var ys = points.map(\.lat)
        let uncorrected = Set(try converter.toRD(xs: &xs, ys: &ys, from: .wgs84).uncorrected)
        let inside = points.indices.filter { !uncorrected.contains($0) }
        var px = inside.map { points[$0].lon }
        var py = inside.map { points[$0].lat }
        let single = try Transformer(
            pipeline: try RDGridTransformation.variant2Pipeline(gridPath: Self.gridFile.path),
            from: .wgs84, to: .rdNew, context: try PROJContext())
        try single.transform(xs: &px, ys: &py)
        var worst = 0.0
        for (k, i) in inside.enumerated() { worst = max(worst, abs(px[k] - xs[i]), abs(py[k] - ys[i])) }
        #expect(worst < 1e-6)
    }

    /// Just north of 50° N (Bessel) the ETRS89 position lies about 80 m south of the grid's extent,
    /// where PROJ's inverse grid shift cannot start; the grid must still apply.
    @Test func pointsWhoseETRS89PositionIsJustOffTheGridStillGetTheGrid() throws {
        let converter = try CoordinateConverter()
        let context = try PROJContext()
        let project = try Transformer(
            pipeline: RDGridTransformation.projection, from: CRS(epsg: 4289), to: .rdNew, context: context)
        // Bessel positions 1 m inside the southern edge.
        var bx = [2.0, 3.5, 5.0, 6.5, 8.0]
        var by = [Double](repeating: 50.000009, count: 5)
        try project.transform(xs: &bx, ys: &by)
        let rd = zip(bx, by).map { RDPoint(x: $0, y: $1) }
        var xs = rd.map(\.x)
        var ys = rd.map(\.y)
        #expect(try converter.toLonLat(xs: &xs, ys: &ys, from: .rdNew).allCorrected)
        let etrs = zip(xs, ys).map { LonLat(lon: $0, lat: $1) }
        #expect(etrs.allSatisfy { $0.lat < 50 })  // off the grid in ETRS89 terms

        var plainX = xs
        var plainY = ys
        let plain = try Transformer(
            pipeline: try RDGridTransformation.correctionPipeline(gridPath: Self.gridFile.path),
            from: .wgs84, to: CRS(epsg: 4289), context: context)
        #expect(try plain.transformReportingFailures(xs: &plainX, ys: &plainY) == Array(0..<5))

        let report = try converter.toRD(xs: &xs, ys: &ys, from: .wgs84)
        #expect(report.allCorrected)
        for (i, p) in rd.enumerated() {
            #expect(abs(xs[i] - p.x) <= 0.000_01 && abs(ys[i] - p.y) <= 0.000_01)
        }
    }

    @Test func otherCRSsReachTheGridThroughETRS89() throws {
        // Maastricht in ETRS89 / UTM 32N: the grid applies, and the result equals the lon/lat route.
        let converter = try CoordinateConverter()
        var lon = [5.6909]
        var lat = [50.8514]
        var utmX = lon
        var utmY = lat
        try converter.transformer(from: .wgs84, to: CRS(epsg: 25832)).transform(xs: &utmX, ys: &utmY)
        #expect(try converter.toRD(xs: &lon, ys: &lat, from: .wgs84).allCorrected)
        #expect(try converter.toRD(xs: &utmX, ys: &utmY, from: CRS(epsg: 25832)).allCorrected)
        #expect(abs(utmX[0] - lon[0]) < 0.000_1 && abs(utmY[0] - lat[0]) < 0.000_1)
    }

    // MARK: - Without the grid

    @Test func aMissingGridFileIsAnErrorThatSaysWhereItLooked() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/fanout/rdtrans2018.gsb")
        let error = try #require(throws: GeoError.self) { try CoordinateConverter(rdGrid: .file(missing)) }
        #expect(error.code == .correctionGrid)
        #expect(error.message.contains(missing.path) && error.message.contains("the file given"))
    }

    @Test func anEmptyDataDirectoryIsAnErrorNotAFallback() throws {
        let dir = try Fixtures.temporaryDirectory("rdgrid")
        defer { try? FileManager.default.removeItem(at: dir) }
        let error = try #require(throws: GeoError.self) {
            try RDCorrectionGrid.locate(.data(.fromEnvironment, .required), environment: ["FANOUT_DATA_DIR": dir.path])
        }
        #expect(error.code == .correctionGrid)
        #expect(error.message.contains("FANOUT_DATA_DIR=\(dir.path)"), "\(error.message)")
        #expect(error.message.contains("rdtrans2018.gsb is not in the data directory \(dir.path)"), "\(error.message)")
        // A directory given in code: the same, and optional means no grid, not the bundled one.
        let given = try #require(throws: GeoError.self) {
            try RDCorrectionGrid.locate(.data(.directory(dir), .required), environment: [:])
        }
        #expect(given.message.contains(dir.path) && given.message.contains("rdGrid: .optional"), "\(given.message)")
        #expect(try RDCorrectionGrid.locate(.data(.directory(dir), .optional), environment: [:]) == nil)
        // Without the variable the bundled copy is used, never the source tree's data/.
        let bundled = try #require(try RDCorrectionGrid.locate(.data(.fromEnvironment, .required), environment: [:]))
        #expect(bundled.path == DataDirectory.bundled.url(for: RDCorrectionGrid.fileName).path)
        #expect(!bundled.path.hasPrefix(Fixtures.packageRoot.appendingPathComponent("data").path + "/"))
    }

    @Test func aFileThatIsNoGridIsRefusedByPROJ() throws {
        let dir = try Fixtures.temporaryDirectory("rdgrid")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bogus = dir.appendingPathComponent("rdtrans2018.gsb")
        try Data("not a grid\n".utf8).write(to: bogus)
        let error = try #require(throws: GeoError.self) { try CoordinateConverter(rdGrid: .file(bogus)) }
        #expect(error.code == .correctionGrid)
        #expect(error.message.contains(bogus.path))
    }

    @Test(arguments: [
        (1_000, "2316864"), (100, "shorter than the NTv2 headers"), (2_316_848, "2316848 bytes, expected 2316864"),
    ])
    func aTruncatedGridIsRefusedWhenOpened(keep: Int, expected: String) throws {
        // PROJ itself opens a truncated grid and then leaves the points it cannot shift to the
        // datum transformation, as if they were outside the grid.
        let dir = try Fixtures.temporaryDirectory("rdgrid")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cut = dir.appendingPathComponent("rdtrans2018.gsb")
        try Data(try Data(contentsOf: Self.gridFile).prefix(keep)).write(to: cut)
        let error = try #require(throws: GeoError.self) { try CoordinateConverter(rdGrid: .file(cut)) }
        #expect(error.code == .correctionGrid)
        #expect(
            error.message.hasPrefix("\(cut.path): not a whole RDNAPTRANS2018 correction grid ("), "\(error.message)")
        #expect(error.message.contains(expected), "\(error.message)")
    }

    @Test func withoutTheGridEveryPointIsFlagged() throws {
        let converter = try CoordinateConverter(rdGrid: .withoutGrid)
        #expect(converter.rdAccuracy == .withoutGrid)
        var xs = [4.8930, 5.6909]
        var ys = [52.3731, 50.8514]
        #expect(try converter.toRD(xs: &xs, ys: &ys, from: .wgs84).uncorrected == [0, 1])
        #expect(try converter.toLonLat(xs: &xs, ys: &ys, from: .rdNew).uncorrected == [0, 1])
    }
}
