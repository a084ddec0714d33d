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

/// A polygon drawn in a Belgian or German CRS selects the same participants as the same polygon
/// in lon/lat: the vertices go to RD New either way, edges are straight there.
@Suite struct ForeignCRSPolygonTests {
    @Test(arguments: [31370, 3812, 25832, 28992])
    func polygonInAnotherCRSSelectsTheSameParticipants(epsg: Int) throws {
        // Participants on a 300 m grid around Maastricht, Lanaken and Vaals.
        var lonLats: [LonLat] = []
        var lon = 5.55
        while lon < 6.10 {
            var lat = 50.72
            while lat < 50.95 {
                lonLats.append(LonLat(lon: lon, lat: lat))
                lat += 0.0027
            }
            lon += 0.0043
        }
        let converter = try CoordinateConverter()
        let rd = try converter.toRD(lonLats)
        var columns = ParticipantColumns()
        for (i, p) in lonLats.enumerated() {
            columns.append(id: Int64(i + 1), x: rd[i].x, y: rd[i].y, country: nil)
        }
        let engine = try Engine(columns: columns)
        // A concave polygon across NL, BE and DE, in lon/lat ...
        let ring: [XY] = [
            XY(5.60, 50.75), XY(6.05, 50.76), XY(6.02, 50.90), XY(5.80, 50.83), XY(5.62, 50.92), XY(5.60, 50.75),
        ]
        let wgs = AreaGeometry(polygons: [PlanarPolygon(shell: ring)], crs: .wgs84, source: "lon/lat")
        // ... and the same vertices transformed into the other CRS (the RD New path: through the grid).
        var xs = ring.map(\.x)
        var ys = ring.map(\.y)
        if epsg == 28992 {
            try converter.toRD(xs: &xs, ys: &ys, from: .wgs84)
        } else {
            let t = try converter.transformer(from: .wgs84, to: CRS(epsg: epsg))
            for i in xs.indices { (xs[i], ys[i]) = try t.transform(x: xs[i], y: ys[i]) }
        }
        let other = AreaGeometry(
            polygons: [PlanarPolygon(shell: zip(xs, ys).map { XY($0, $1) })], crs: CRS(epsg: epsg),
            source: "EPSG:\(epsg)")
        let incident = LonLat(lon: 5.69, lat: 50.85)
        let a = try engine.select(SelectionRequest(area: .polygon(wgs), incident: incident))
        let b = try engine.select(SelectionRequest(area: .polygon(other), incident: incident))
        #expect(a.participants.count > 1_000)
        #expect(b.participants.map(\.id) == a.participants.map(\.id))
        #expect(abs(a.areaSquareMeters - b.areaSquareMeters) < 1, "\(a.areaSquareMeters) vs \(b.areaSquareMeters)")
    }
}
