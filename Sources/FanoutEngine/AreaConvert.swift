import Foundation

/// The file formats `fanout area convert` writes.
public enum AreaFormat: String, Sendable, CaseIterable {
    /// RFC 7946 GeoJSON (a Feature; a legacy `crs` member when not WGS84).
    case geojson
    /// WKT `POLYGON`/`MULTIPOLYGON` (the CRS is not stored).
    case wkt
    /// An OASIS CAP 1.2 alert with the area as `<polygon>`s (always WGS84).
    case cap
    /// An OGC GeoPackage 1.3 with one polygon layer.
    case gpkg

    /// The format a file name's extension implies: `.geojson`/`.json`, `.wkt`, `.cap`/`.xml`, `.gpkg`.
    public init?(pathExtension ext: String) {
        switch ext.lowercased() {
        case "geojson", "json": self = .geojson
        case "wkt": self = .wkt
        case "cap", "xml": self = .cap
        case "gpkg": self = .gpkg
        default: return nil
        }
    }
}

/// Converts action areas between GeoJSON, WKT, CAP 1.2 and GeoPackage (`fanout area convert`).
///
/// GeoJSON, WKT and GeoPackage keep the coordinates in the input's CRS, untouched (so a round
/// trip gives back the same doubles); CAP is always WGS84, so other CRSs are transformed (RD New
/// through RDNAPTRANS2018). CAP polygons have no holes: an area with holes is refused for CAP.
///
/// - Important: Not `Sendable`: it owns a GEOS and a PROJ context for the thread that made it.
public final class AreaConverter {
    /// What a conversion wrote.
    public struct Report: Sendable, Equatable {
        public var input: String
        public var output: String
        public var format: AreaFormat
        /// The CRS of the written coordinates (`nil` for WKT, which does not store one).
        public var crs: CRS?
        public var polygons: Int
        public var holes: Int
        public var vertices: Int
        public var bytes: Int
        /// Things worth knowing (a transformation, a CRS that WKT drops).
        public var notes: [String]
        /// What reading the input dropped (Z and M values), for the command's warnings.
        public var dropped = DroppedOrdinates()
    }

    let context: GEOSContext
    private var converter: CoordinateConverter?
    /// The size of the last file written (also when it went into a FIFO or device).
    private var writtenBytes = 0

    /// Creates a converter with its own GEOS context (PROJ is started when CAP needs it).
    ///
    /// - Throws: ``GeoError`` when GEOS cannot start.
    public init() throws {
        context = try GEOSContext()
    }

    /// Reads an area file in any supported format (GeoJSON, WKT, CAP, GeoPackage).
    public func read(
        contentsOf url: URL, crs: CRS? = nil, layer: String? = nil, features: FeatureChoice = .single
    ) throws -> AreaGeometry {
        try AreaReader.read(contentsOf: url, crs: crs, layer: layer, features: features, context: context)
    }

    /// Reads `input` and writes it to `output` atomically, never over the input.
    ///
    /// - Parameters:
    ///   - format: The output format; `nil` takes it from the output's extension.
    ///   - crs: The CRS of WKT input (or of a GeoPackage layer in an undefined system).
    ///   - layer: The GeoPackage layer to read.
    ///   - features: Which features of a multi-feature input make the area (see ``FeatureChoice``).
    ///   - cap: The alert around the area, for CAP output.
    /// - Throws: ``OutputError`` `.refused` for an output that may not be written (the input, a
    ///   database, a directory: see ``OutputTarget``) and `.writeFailed`; ``AreaToolError``
    ///   `.badArgument` for the format, `.unwritable` for an area the format cannot hold;
    ///   ``GeoError`` for unreadable input.
    public func convert(
        input: String, output: String, format: AreaFormat? = nil, crs: CRS? = nil, layer: String? = nil,
        features: FeatureChoice = .single, cap: CAPAlertOptions = CAPAlertOptions()
    ) throws -> Report {
        let outURL = URL(fileURLWithPath: output)
        guard let format = format ?? AreaFormat(pathExtension: outURL.pathExtension) else {
            throw AreaToolError(
                .badArgument,
                "--out \(output): cannot tell the format from '.\(outURL.pathExtension)'; "
                    + "use .geojson, .wkt, .cap or .gpkg, or give --to geojson|wkt|cap|gpkg")
        }
        let target = try OutputTarget.check(
            output, kind: format == .gpkg ? .geoPackage : .stream, inputs: [OutputTarget.Input("input file", input)])
        let area = try read(contentsOf: URL(fileURLWithPath: input), crs: crs, layer: layer, features: features)
        let (written, notes): (AreaGeometry, [String])
        do {
            (written, notes) = try write(area, to: target, as: format, cap: cap, areaDesc: defaultAreaDesc(input))
        } catch let e as AreaToolError {
            throw e
        } catch let e as OutputError {
            throw e
        } catch let e as GeoError where e.code == .proj || e.code == .correctionGrid || e.code == .unknownCRS {
            throw e
        } catch {
            throw AreaToolError(.output, "cannot write \(output): \(GeoPackageReader.sqliteMessage(error))")
        }
        return Report(
            input: input, output: output, format: format, crs: format == .wkt ? nil : written.crs,
            polygons: written.polygons.count, holes: written.polygons.reduce(0) { $0 + $1.holes.count },
            vertices: written.polygons.vertexCount,
            bytes: writtenBytes, notes: notes, dropped: area.dropped)
    }

    /// Writes an area atomically in `format` to a checked target.
    ///
    /// - Parameters:
    ///   - target: Where to write, checked with ``OutputTarget/check(_:option:kind:inputs:)`` for
    ///     the format (kind ``OutputTarget/Kind/geoPackage`` for `.gpkg`, else `.stream`).
    ///   - areaDesc: The CAP `<areaDesc>` when `cap.areaDesc` is not set.
    /// - Returns: The area as written (WGS84 for CAP) and notes for the user.
    /// - Throws: ``AreaToolError`` `.unwritable` for an area the format cannot hold (holes in CAP,
    ///   an empty area), ``GeoError`` from PROJ, ``OutputError``, or SQLite's error.
    public func write(
        _ area: AreaGeometry, to target: OutputTarget, as format: AreaFormat, cap: CAPAlertOptions = CAPAlertOptions(),
        areaDesc: String
    ) throws -> (AreaGeometry, [String]) {
        do {
            return try writeUnchecked(area, to: target, as: format, cap: cap, areaDesc: areaDesc)
        } catch let e as GeoError where e.code == .unsupportedGeometry {
            throw AreaToolError(.unwritable, e.message)
        }
    }

    private func writeUnchecked(
        _ area: AreaGeometry, to target: OutputTarget, as format: AreaFormat, cap: CAPAlertOptions, areaDesc: String
    ) throws -> (AreaGeometry, [String]) {
        switch format {
        case .geojson:
            try write(area.geoJSONText(), to: target)
        case .wkt:
            try write(area.wktText(), to: target)
            if area.crs != .wgs84 { return (area, ["WKT does not store the CRS: read it back with --crs \(area.crs)"]) }
        case .gpkg:
            try AtomicFileWriter.replace(target) { tmp in
                try GeoPackageWriter.writeArea(area, layer: "area", to: tmp.path, context: context)
                writtenBytes = (try? FileManager.default.attributesOfItem(atPath: tmp.path)[.size] as? Int) ?? 0
            }
        case .cap:
            let lonLat = try wgs84(area)
            _ = try writeCAP(cap.message(for: lonLat, areaDesc: cap.areaDesc ?? areaDesc), to: target)
            if area.crs != .wgs84 { return (lonLat, ["transformed from \(area.crs) to WGS84 (CAP is always WGS84)"]) }
            return (lonLat, [])
        }
        return (area, [])
    }

    /// Writes a CAP message atomically to a checked target (kind ``OutputTarget/Kind/stream``).
    ///
    /// - Returns: The number of bytes written.
    /// - Throws: ``AreaToolError`` `.badArgument` for a message CAP would reject (the reason from
    ///   ``CAPWriter``), or ``OutputError``.
    public func writeCAP(_ message: CAPMessage, to target: OutputTarget) throws -> Int {
        let xml: String
        do { xml = try CAPWriter.xml(message) } catch let e as GeoError { throw AreaToolError(.badArgument, e.message) }
        try write(xml, to: target)
        return xml.utf8.count
    }

    /// The area in WGS84 lon/lat.
    ///
    /// - Throws: ``GeoError`` from PROJ.
    public func wgs84(_ area: AreaGeometry) throws -> AreaGeometry {
        guard area.crs != .wgs84 else { return area }
        if converter == nil { converter = try CoordinateConverter() }
        guard let converter else { return area }
        func transform(_ ring: [XY]) throws -> [XY] {
            var xs = ring.map(\.x)
            var ys = ring.map(\.y)
            try converter.toLonLat(xs: &xs, ys: &ys, from: area.crs)
            return zip(xs, ys).map { XY($0, $1) }
        }
        let polygons = try area.polygons.map {
            PlanarPolygon(shell: try transform($0.shell), holes: try $0.holes.map(transform))
        }
        var copy = AreaGeometry(polygons: polygons, crs: .wgs84, source: area.source, notation: area.notation)
        copy.dropped = area.dropped
        return copy
    }

    private func write(_ text: String, to target: OutputTarget) throws {
        let writer = try AtomicFileWriter(target: target)
        try writer.write(text)
        try writer.commit()
        writtenBytes = text.utf8.count
    }

    private func defaultAreaDesc(_ input: String) -> String {
        URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
    }
}
