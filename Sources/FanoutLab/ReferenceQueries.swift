import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import Selection
import Synthetic

/// One query of the reference set used by the benchmarks and `fanout loadtest`.
public struct ReferenceQuery: Sendable {
    /// The shape of the area.
    public enum Shape: Sendable {
        /// A circle around a WGS84 point.
        case circle(LonLat, radiusMeters: Double)
        /// A GeoJSON file in the `areas/` folder of the engine's data directory.
        case areaFile(String)
    }

    /// The display name.
    public let name: String
    /// The area.
    public let shape: Shape

    /// Amsterdam, Dam square.
    public static let amsterdamDam = LonLat(lon: 4.8930, lat: 52.3731)
    /// Utrecht, Dom tower.
    public static let utrechtDom = LonLat(lon: 5.1214, lat: 52.0908)
    /// Kerkrade, on the German border.
    public static let kerkrade = LonLat(lon: 6.0650, lat: 50.8655)

    /// The reference query set (issue 3): circles around Amsterdam, Utrecht and Kerkrade, a
    /// ~40 km² polygon in Rotterdam and a ~670 km² concave polygon around Maastricht.
    public static let all: [ReferenceQuery] = [
        ReferenceQuery(name: "Amsterdam Dam 1 km", shape: .circle(amsterdamDam, radiusMeters: 1_000)),
        ReferenceQuery(name: "Amsterdam Dam 5 km", shape: .circle(amsterdamDam, radiusMeters: 5_000)),
        ReferenceQuery(name: "Amsterdam Dam 20 km", shape: .circle(amsterdamDam, radiusMeters: 20_000)),
        ReferenceQuery(name: "Utrecht Dom 10 km", shape: .circle(utrechtDom, radiusMeters: 10_000)),
        ReferenceQuery(name: "Utrecht Dom 50 km", shape: .circle(utrechtDom, radiusMeters: 50_000)),
        ReferenceQuery(name: "Kerkrade 15 km", shape: .circle(kerkrade, radiusMeters: 15_000)),
        ReferenceQuery(name: "Rotterdam polygon 40 km2", shape: .areaFile("rotterdam-40km2.geojson")),
        ReferenceQuery(name: "Maastricht polygon 670 km2", shape: .areaFile("maastricht-670km2.geojson")),
    ]

    /// The directory of the reference areas in `data`: its `areas/` folder.
    public static func areasDirectory(in data: DataDirectory = .bundled) -> URL { data.url(for: "areas") }

    /// The selection request; polygon files are read through `engine` from the `areas/` folder of
    /// its data directory (``Engine/data``).
    ///
    /// - Throws: ``GeoError`` `.parse` naming the file and the directory searched when an area
    ///   file is missing or cannot be read.
    public func request(on engine: Engine) throws -> SelectionRequest {
        switch shape {
        case .circle(let center, let radius):
            return SelectionRequest(area: .circle(center: center, radiusMeters: radius))
        case .areaFile(let file):
            let url = try engine.data.locate(
                "areas/" + file, what: "the reference area", code: .parse, made: "data/areas/README.md describes them")
            return SelectionRequest(area: .polygon(try engine.readArea(contentsOf: url, crs: nil)))
        }
    }
}
