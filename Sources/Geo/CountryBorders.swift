import Foundation

/// Where ``CountryBorders/load(_:converter:)`` finds the borders file.
public enum CountryBordersSource: Sendable, Hashable {
    /// `borders-nl-be-de.geojson` in this data directory, and only there.
    case data(DataDirectory)
    /// This GeoJSON file (same format as the one made by `tools/make_borders.py`).
    case file(URL)
}

/// The territory of the Netherlands, Belgium and Germany in RD New metres, as plain polygons.
///
/// Loaded from `data/borders-nl-be-de.geojson` (made by `tools/make_borders.py` from OpenStreetMap
/// borders via timezone-boundary-builder 2026c, ODbL 1.0; see `data/LICENSES.md`): land territory
/// plus territorial waters, with the Baarle-Hertog exclaves and the Baarle-Nassau counter-enclaves,
/// Germany clipped to the ``ServiceRegion``. The vertices are transformed to RD New with a
/// ``CoordinateConverter`` (RDNAPTRANS2018), exactly as participants' positions are, so a
/// participant given at a border vertex lands on that vertex in RD New too; edges are straight in
/// RD New (at most a few millimetres from the lon/lat edge for these short border segments).
///
/// A value: load it once and hand it to a ``CountryLocator`` on each thread that needs one.
///
/// - Note: The source borders are OpenStreetMap's, which follow the cadastral borders to within a
///   few metres; see ``CountryLocator/toleranceMeters`` for the tolerance built on that.
public struct CountryBorders: Sendable {
    /// One country's polygons.
    public struct Territory: Sendable {
        /// The country.
        public var country: CountryCode
        /// Its polygons in RD New metres: shells counter-clockwise, holes clockwise, rings closed.
        public var polygons: [PlanarPolygon]
        /// The bounding box of ``polygons`` in RD New metres.
        public var envelope: Envelope
        /// The number of vertices (closing points included).
        public var vertexCount: Int
    }

    /// The file name, in the data directory.
    public static let fileName = "borders-nl-be-de.geojson"

    /// The order in which countries win where territories overlap (the Ems-Dollart, claimed by
    /// both NL and DE): NL, then BE, then DE; any other country in the file comes after them.
    public static let precedence: [CountryCode] = [.nl, .be, .de]

    /// The territories, in ``precedence`` order.
    public var territories: [Territory]
    /// The file they were read from.
    public var file: URL

    /// The territory of `country`, if the file has one.
    public func territory(of country: CountryCode) -> Territory? {
        territories.first { $0.country == country }
    }

    // MARK: - Loading

    /// Reads the borders file and transforms every vertex to RD New.
    ///
    /// The file is a GeoJSON FeatureCollection with one `Polygon` or `MultiPolygon` Feature per
    /// country (`properties.country`, ISO 3166-1 alpha-2), lon/lat WGS84 as RFC 7946 requires.
    /// Each country's vertices go through `converter` in one batch.
    ///
    /// - Parameters:
    ///   - source: Where the file is (default: the package's own files).
    ///   - converter: The converter to RD New (its RDNAPTRANS2018 grid is used as for participants).
    /// - Returns: The territories in ``precedence`` order.
    /// - Throws: ``GeoError`` `.countryBorders` when the file is missing or not of that shape
    ///   (naming the file and what is wrong); `.proj` when a vertex cannot be transformed.
    /// - Complexity: O(n) in the number of vertices (about 116,000, 2.4 MB; tens of milliseconds).
    public static func load(
        _ source: CountryBordersSource = .data(.bundled), converter: CoordinateConverter
    ) throws -> CountryBorders {
        let url = try locate(source)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw GeoError(
                .countryBorders, "\(url.path): cannot read the country borders: \(error.localizedDescription)")
        }
        return try parse(data, file: url, converter: converter)
    }

    /// Finds the borders file for `source`.
    ///
    /// - Parameter environment: The process environment (a parameter so that tests can set it).
    /// - Returns: The file's URL.
    /// - Throws: ``GeoError`` `.countryBorders` naming where it looked and how to fix it.
    package static func locate(
        _ source: CountryBordersSource, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> URL {
        switch source {
        case .file(let url):
            let candidate = DataDirectory.Candidate(url: url.standardizedFileURL, how: "the file given")
            guard candidate.exists else {
                throw GeoError(
                    .countryBorders, "the country borders \(url.path) (the file given) do not exist or are not a file")
            }
            return candidate.url
        case .data(let directory):
            return try directory.locate(
                fileName, what: "the country borders", code: .countryBorders, made: "tools/make_borders.py makes it",
                environment: environment)
        }
    }

    /// Parses the GeoJSON text of a borders file and transforms it to RD New.
    ///
    /// - Throws: ``GeoError`` `.countryBorders` naming `file` and the feature or byte offset that
    ///   is wrong.
    package static func parse(_ data: Data, file: URL, converter: CoordinateConverter) throws -> CountryBorders {
        var territories: [Territory] = []
        for (country, feature, at) in try countryFeatures(data, file: file) {
            do { territories.append(try territory(country, feature, converter: converter)) } catch let e as GeoError {
                throw GeoError(.countryBorders, "\(at) (\(country)): \(e.message)")
            }
        }
        return CountryBorders(territories: territories, file: file)
    }

    /// Reads the features of a borders file in lon/lat, one per country, in ``precedence`` order.
    ///
    /// - Returns: Each country with its feature and `file: features[i]` for messages.
    /// - Throws: ``GeoError`` `.countryBorders` naming `file` and the feature or byte offset that
    ///   is wrong (a NUL byte, bad JSON, a country that is not an ISO code, a second feature for a
    ///   country).
    static func countryFeatures(
        _ data: Data, file: URL
    ) throws -> [(country: CountryCode, feature: BordersFeature, at: String)] {
        if let (line, offset) = TextBytes.firstNUL(in: data) {
            throw GeoError(
                .countryBorders, TextBytes.nulMessage(file.path, line: line, offset: offset, what: "GeoJSON"))
        }
        var reader = BordersGeoJSONReader([UInt8](data))
        let features: [BordersFeature]
        do { features = try reader.features() } catch {
            throw GeoError(
                .countryBorders,
                "\(file.path): byte \(error.offset): \(error.message) (the file must be a FeatureCollection of "
                    + "Polygon/MultiPolygon features with properties.country)")
        }
        var result: [(country: CountryCode, feature: BordersFeature, at: String)] = []
        for (index, feature) in features.enumerated() {
            let at = "\(file.path): features[\(index)]"
            guard let country = CountryCode(feature.country), country.isAssigned else {
                throw GeoError(.countryBorders, "\(at): properties.country '\(feature.country)' is not an ISO code")
            }
            guard !result.contains(where: { $0.country == country }) else {
                throw GeoError(.countryBorders, "\(at): a second feature for \(country)")
            }
            result.append((country, feature, at))
        }
        func rank(_ c: CountryCode) -> Int { precedence.firstIndex(of: c) ?? precedence.count }
        result.sort { (rank($0.country), $0.country) < (rank($1.country), $1.country) }
        return result
    }

    /// Transforms one country's lon/lat positions to RD New in one batch and rebuilds its polygons.
    private static func territory(
        _ country: CountryCode, _ feature: BordersFeature, converter: CoordinateConverter
    ) throws -> Territory {
        let (polygons, envelope) = try feature.polygonsInRD(converter: converter)
        guard !polygons.isEmpty else { throw GeoError(.countryBorders, "feature \(country): no polygons") }
        return Territory(
            country: country, polygons: polygons, envelope: envelope, vertexCount: feature.lons.count)
    }
}
