import Foundation
import TestSupport
import Testing

@testable import Geo

/// One row of NSGI's RDNAPTRANS2018 validation file.
struct NSGIPoint {
    var id: String
    var lat: Double
    var lon: Double
    var x: Double
    var y: Double
    var hasNAP: Bool
}

func loadZ001() throws -> [NSGIPoint] {
    let text = try String(
        contentsOf: Fixtures.url("GeoTests/Fixtures/rdnaptrans2018/Z001_ETRS89andRDNAP.txt"), encoding: .utf8)
    return try text.split(whereSeparator: \.isNewline).map { line in
        let f = line.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
        guard f.count == 7, let lat = Double(f[1]), let lon = Double(f[2]), let x = Double(f[4]),
            let y = Double(f[5])
        else { throw GeoError(.parse, "bad Z001 line: \(line)") }
        return NSGIPoint(id: f[0], lat: lat, lon: lon, x: x, y: y, hasNAP: f[6] != "*")
    }
}

@Suite struct TransformerTests {
    /// PROJ's own choice (`proj_create_crs_to_crs`) without the Dutch grid, built explicitly: the
    /// figure the README quotes for RD New without the correction grid.
    @Test func z001WithoutGridIsWithinAQuarterMetreInsideTheNetherlands() throws {
        let points = try loadZ001()
        #expect(points.count == 10_000)
        let plain = try Transformer(from: .wgs84, to: .rdNew, context: try PROJContext())
        var xs = points.map(\.lon)
        var ys = points.map(\.lat)
        try plain.transform(xs: &xs, ys: &ys)
        var errorsNAP: [Double] = []
        var errorsAll: [Double] = []
        for (i, p) in points.enumerated() {
            let r = RDPoint(x: xs[i], y: ys[i])
            let e = ((r.x - p.x) * (r.x - p.x) + (r.y - p.y) * (r.y - p.y)).squareRoot()
            errorsAll.append(e)
            if p.hasNAP { errorsNAP.append(e) }
        }
        errorsNAP.sort()
        errorsAll.sort()
        let maxNAP = errorsNAP.last ?? .nan
        let p99 = errorsNAP[Int(Double(errorsNAP.count) * 0.99)]
        print(
            "Z001 (PROJ without grid): \(errorsNAP.count) points in the NAP area: max \(maxNAP) m, p99 \(p99) m; all 10000: max \(errorsAll.last ?? .nan) m"
        )
        #expect(maxNAP <= 0.25)
    }
}
