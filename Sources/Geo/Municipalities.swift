import Foundation

/// The Dutch municipalities (gemeenten) in RD New metres, as plain polygons.
///
/// Loaded from `data/municipalities-nl.geojson` (made by `tools/make_municipalities.py` from CBS's
/// Wijk- en buurtkaart 2023, CC BY 4.0; see `data/LICENSES.md`): one feature per municipality
/// with `properties.code` (CBS code, `GM0363`) and `properties.name`, land only (lakes and the
/// sea belong to no municipality here). The vertices go through a ``CoordinateConverter``
/// (RDNAPTRANS2018) like participants' positions.
///
/// ## Accuracy
/// The layer is generalised: its vertices are a subset of the official boundary's, so the edges
/// between them cut corners. Along the land border with Belgium and Germany half of
/// OpenStreetMap's border vertices lie within 19 m of this outline and 90% within 130 m; in the
/// estuaries (Dollard, Westerschelde) the gaps reach kilometres because the layer stops at the
/// shore. Shares of an area per municipality are therefore approximate near boundaries
/// (``accuracyNote``).
///
/// A value: load it once and hand it to a ``MunicipalityLocator`` on each thread that needs one.
public struct Municipalities: Sendable {
    /// One municipality.
    public struct Municipality: Sendable {
        /// CBS code, such as `GM0363`.
        public var code: String
        /// Name, such as `Amsterdam`.
        public var name: String
        /// Polygons in RD New metres, as in the file (some are invalid after generalisation;
        /// ``MunicipalityLocator`` repairs those with GEOS MakeValid).
        public var polygons: [PlanarPolygon]
        /// Bounding box in RD New metres.
        public var envelope: Envelope
    }

    /// The file name, in the data directory.
    public static let fileName = "municipalities-nl.geojson"
    /// What a report says about the boundaries' source and accuracy.
    public static let accuracyNote =
        "CBS Wijk- en buurtkaart 2023 (CC BY 4.0), generalised: boundaries typically within 20 m, "
        + "90% within 130 m of the official ones; land only; shares near a boundary are approximate"

    /// CBS's code for land abroad, "Buitenland": in the Wijk- en buurtkaart, the Belgian
    /// enclaves of Baarle-Hertog inside Baarle-Nassau. It is no Dutch municipality: such land is
    /// kept in ``abroad``, not in ``list``, and reported under its country.
    public static let abroadCode = "GM0998"

    /// The municipalities, sorted by code (land abroad, ``abroadCode``, left out).
    public var list: [Municipality]
    /// Land the file marks as abroad (``abroadCode``): no municipality of the Netherlands.
    public var abroad: [Municipality] = []
    /// The file they were read from.
    public var file: URL

    /// Reads the municipalities file and transforms every vertex to RD New.
    ///
    /// - Parameters:
    ///   - file: The file; `nil` looks for ``fileName`` in `data`, and only there.
    ///   - data: The data directory (default: the package's own files).
    ///   - converter: The converter to RD New.
    /// - Throws: ``GeoError`` `.municipalities` when the file is missing or not of that shape
    ///   (naming the file, the directory searched and the place); `.proj` when a vertex cannot be
    ///   transformed.
    /// - Complexity: O(n) in the vertices (about 17,800; a few milliseconds).
    public static func load(
        from file: URL? = nil, data: DataDirectory = .bundled, converter: CoordinateConverter
    ) throws -> Municipalities {
        let url: URL
        if let file {
            url = file.standardizedFileURL
            guard DataDirectory.Candidate(url: url, how: "the file given").exists else {
                throw GeoError(
                    .municipalities,
                    "the municipalities file \(url.path) (the file given) does not exist or is not a file")
            }
        } else {
            url = try data.locate(
                fileName, what: "the municipalities file", code: .municipalities,
                made: "tools/make_municipalities.py makes it")
        }
        let bytes: Data
        do { bytes = try Data(contentsOf: url) } catch {
            throw GeoError(
                .municipalities, "\(url.path): cannot read the municipalities: \(error.localizedDescription)")
        }
        return try parse(bytes, file: url, converter: converter)
    }

    /// Parses the GeoJSON text of a municipalities file and transforms it to RD New.
    ///
    /// - Throws: ``GeoError`` `.municipalities` naming `file` and the feature or byte offset.
    package static func parse(_ data: Data, file: URL, converter: CoordinateConverter) throws -> Municipalities {
        if let (line, offset) = TextBytes.firstNUL(in: data) {
            throw GeoError(.municipalities, TextBytes.nulMessage(file.path, line: line, offset: offset, what: "GeoJSON"))
        }
        var reader = BordersGeoJSONReader([UInt8](data), key: "code")
        let features: [BordersFeature]
        do { features = try reader.features() } catch {
            throw GeoError(
                .municipalities,
                "\(file.path): byte \(error.offset): \(error.message) (the file must be a FeatureCollection of "
                    + "Polygon/MultiPolygon features with properties.code and properties.name)")
        }
        var list: [Municipality] = []
        var seen: Set<String> = []
        for (index, feature) in features.enumerated() {
            let at = "\(file.path): features[\(index)]"
            guard let name = feature.strings["name"], !name.isEmpty else {
                throw GeoError(.municipalities, "\(at) (\(feature.country)): properties.name is missing")
            }
            guard seen.insert(feature.country).inserted else {
                throw GeoError(.municipalities, "\(at): code \(feature.country) appears twice")
            }
            let polygons: [PlanarPolygon]
            let envelope: Envelope
            do { (polygons, envelope) = try feature.polygonsInRD(converter: converter) } catch let e as GeoError {
                throw GeoError(.municipalities, "\(at) (\(feature.country)): \(e.message)")
            }
            guard !polygons.isEmpty else { throw GeoError(.municipalities, "\(at): no polygons") }
            list.append(Municipality(code: feature.country, name: name, polygons: polygons, envelope: envelope))
        }
        list.sort { $0.code < $1.code }
        let abroad = list.filter { $0.code == abroadCode }
        list.removeAll { $0.code == abroadCode }
        return Municipalities(list: list, abroad: abroad, file: file)
    }
}
