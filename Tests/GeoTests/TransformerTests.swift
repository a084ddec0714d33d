import Foundation
import GeoTestSupport
import TestSupport
import Testing

@testable import Geo

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
