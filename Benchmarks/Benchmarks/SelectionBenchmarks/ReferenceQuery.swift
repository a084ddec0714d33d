import FanoutEngine
import Foundation

/// One query of the reference set: a named action area on the 1.6M registry.
struct ReferenceQuery: Sendable {
    /// The shape of the area, as given to the benchmark.
    enum Shape: Sendable {
        /// A circle around a WGS84 point.
        case circle(LonLat, radiusMeters: Double)
        /// A GeoJSON file in `data/areas/`.
        case areaFile(String)
    }

    /// The display name; benchmark names are "<selector>:<name>" with `-` for spaces.
    let name: String
    /// The area.
    let shape: Shape

    /// The reference query set.
    static let all: [ReferenceQuery] = [
        ReferenceQuery(name: "Amsterdam Dam 1 km", shape: .circle(amsterdamDam, radiusMeters: 1_000)),
        ReferenceQuery(name: "Amsterdam Dam 5 km", shape: .circle(amsterdamDam, radiusMeters: 5_000)),
        ReferenceQuery(name: "Amsterdam Dam 20 km", shape: .circle(amsterdamDam, radiusMeters: 20_000)),
        ReferenceQuery(name: "Utrecht Dom 10 km", shape: .circle(utrechtDom, radiusMeters: 10_000)),
        ReferenceQuery(name: "Utrecht Dom 50 km", shape: .circle(utrechtDom, radiusMeters: 50_000)),
        ReferenceQuery(name: "Kerkrade 15 km", shape: .circle(kerkrade, radiusMeters: 15_000)),
        ReferenceQuery(name: "Rotterdam polygon 40 km2", shape: .areaFile("rotterdam-40km2.geojson")),
        ReferenceQuery(name: "Maastricht polygon 670 km2", shape: .areaFile("maastricht-670km2.geojson")),
    ]

    static let amsterdamDam = LonLat(lon: 4.8930, lat: 52.3731)
    static let utrechtDom = LonLat(lon: 5.1214, lat: 52.0908)
    static let kerkrade = LonLat(lon: 6.0650, lat: 50.8655)

    /// The selection request; polygon files are read through `engine` (its GEOS context).
    func request(on engine: Engine) throws -> SelectionRequest {
        switch shape {
        case .circle(let center, let radius):
            return SelectionRequest(area: .circle(center: center, radiusMeters: radius))
        case .areaFile(let file):
            let url = BenchmarkData.areasDirectory.appendingPathComponent(file)
            return SelectionRequest(area: .polygon(try engine.readArea(contentsOf: url, crs: nil)))
        }
    }

    /// A file-name-safe form of the name, prefixed with its position in ``all`` so that a
    /// directory listing is in reference order ("01-amsterdam-dam-1-km").
    var slug: String {
        let position = (Self.all.firstIndex { $0.name == name } ?? 98) + 1
        let safe = String(name.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
        return (position < 10 ? "0" : "") + "\(position)-" + safe
    }
}

/// Which implementation a query benchmark measures.
enum Selector: String, Sendable, CaseIterable {
    /// `Engine.select`: the engine's own index (a packed uniform grid since b2578d8).
    case engine
    /// `Engine.selectWithSTRtree`: a GEOS STRtree over the same participants (comparison peer).
    case strtree
    /// `Engine.selectByBruteForce`: a scan over every participant (the test oracle).
    case bruteForce = "brute-force"

    /// The benchmark name prefix.
    var label: String {
        switch self {
        case .engine: "engine"
        case .strtree: "STRtree"
        case .bruteForce: "brute-force"
        }
    }

    /// The benchmark name for `query`, e.g. "brute-force:Amsterdam-Dam-1-km".
    ///
    /// No spaces: package-benchmark 1.38.1 writes static thresholds to a file name with spaces
    /// replaced by `_` but looks them up by the name as is, so a name with spaces never finds its
    /// thresholds (ordo-one/benchmark issue #301).
    func benchmarkName(_ query: ReferenceQuery) -> String {
        "\(label):" + query.name.replacingOccurrences(of: " ", with: "-")
    }

    /// Runs `request` with this selector.
    func select(_ request: SelectionRequest, on engine: Engine) throws -> SelectionResult {
        switch self {
        case .engine: try engine.select(request)
        case .strtree: try engine.selectWithSTRtree(request)
        case .bruteForce: try engine.selectByBruteForce(request)
        }
    }
}
