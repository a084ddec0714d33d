import FanoutCore
import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import Selection

/// Converts action areas between GeoJSON, WKT, CAP 1.2 and GeoPackage (`fanout area convert`).
///
/// GeoJSON, WKT and GeoPackage keep the coordinates in the input's CRS, untouched (so a round
/// trip gives back the same doubles; GeoJSON turns rings as RFC 7946 wants them); CAP is always
/// WGS84, so other CRSs are transformed (RD New through RDNAPTRANS2018). CAP polygons have no
/// holes: an area with holes is refused for CAP.
///
/// The feature's attributes (``AreaGeometry/properties``) go along: GeoJSON `properties`,
/// GeoPackage attribute columns; the area's ``AreaGeometry/name`` becomes the GeoPackage layer
/// name and the CAP `<areaDesc>`, and a CAP area's `<areaDesc>` comes back as a `name` attribute.
///
/// - Important: Not `Sendable`: it owns a GEOS and a PROJ context (one caller at a time, any thread).
public final class AreaConverter {
    /// What a conversion wrote.
    public struct Report: Sendable, Equatable {
        /// The area file read; `nil` for a circle given on the command line.
        public var input: String?
        public var output: String
        public var format: AreaFormat
        /// The CRS of the written coordinates (`nil` for WKT, which does not store one).
        public var crs: CRS?
        public var polygons: Int
        /// CAP circles written (`--circle`), 0 otherwise.
        public var circles: Int = 0
        public var holes: Int
        public var vertices: Int
        public var bytes: Int
        /// Things worth knowing (a transformation, a CRS that WKT drops).
        public var notes: [String]
        /// What reading the input dropped (Z and M values), for the command's warnings.
        public var dropped = DroppedOrdinates()
        /// The CRS a reader must be given to read the output back: that of WKT written in
        /// another CRS than WGS84 (WKT does not store it); `nil` otherwise. Not part of the JSON.
        public var readBackCRS: CRS?
    }

    let context: GEOSContext
    private var converter: CoordinateConverter?
    /// Where the RD grid is, for CAP's WGS84.
    private let data: DataDirectory
    /// The size of the last file written (also when it went into a FIFO or device).
    private var writtenBytes = 0

    /// Creates a converter with its own GEOS context (PROJ is started when CAP needs it).
    ///
    /// - Parameter data: Where the RD grid is, read when CAP needs WGS84 (default: the package's
    ///   own files).
    /// - Throws: ``GeoError`` when GEOS cannot start.
    public init(data: DataDirectory = .bundled) throws {
        self.data = data
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
    ///   - layerName: The GeoPackage layer to write (default: see ``write(_:to:as:cap:areaDesc:layerName:)``).
    /// - Throws: ``OutputError`` `.refused` for an output that may not be written (the input, a
    ///   database, a directory: see ``OutputTarget``) and `.writeFailed`; ``AreaToolError``
    ///   `.badArgument` for the format or the layer name, `.unwritable` for an area the format
    ///   cannot hold; ``GeoError`` for unreadable input.
    public func convert(
        input: String, output: String, format: AreaFormat? = nil, crs: CRS? = nil, layer: String? = nil,
        features: FeatureChoice = .single, cap: CAPAlertOptions = CAPAlertOptions(), layerName: String? = nil
    ) throws -> Report {
        let outURL = URL(fileURLWithPath: output)
        guard let format = format ?? AreaFormat(pathExtension: outURL.pathExtension) else {
            throw AreaToolError(
                .badArgument,
                "\(output): cannot tell the format from '.\(outURL.pathExtension)'; "
                    + "use .geojson, .wkt, .cap or .gpkg, or give the format (geojson, wkt, cap, gpkg)",
                location: ErrorLocation(input: output, field: "output"))
        }
        if let layerName {
            guard format == .gpkg else {
                throw AreaToolError(
                    .badArgument, "a layer name applies to GeoPackage output (.gpkg) only",
                    location: ErrorLocation(field: "layerName"))
            }
            do { try GeoPackageWriter.checkLayerName(layerName) } catch let e as GeoError {
                throw AreaToolError(.badArgument, e.message, location: ErrorLocation(field: "layerName"))
            }
        }
        let target = try OutputTarget.check(
            output, kind: format == .gpkg ? .geoPackage : .stream, inputs: [OutputTarget.Input("input file", input)])
        let area = try read(contentsOf: URL(fileURLWithPath: input), crs: crs, layer: layer, features: features)
        let (written, notes): (AreaGeometry, [String])
        do {
            (written, notes) = try write(
                area, to: target, as: format, cap: cap, areaDesc: defaultAreaDesc(input), layerName: layerName)
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
            bytes: writtenBytes, notes: notes, dropped: area.dropped,
            readBackCRS: format == .wkt && written.crs != .wgs84 ? written.crs : nil)
    }

    /// Writes an area atomically in `format` to a checked target.
    ///
    /// - Parameters:
    ///   - target: Where to write, checked with ``OutputTarget/check(_:option:kind:inputs:)`` for
    ///     the format (kind ``OutputTarget/Kind/geoPackage`` for `.gpkg`, else `.stream`).
    ///   - areaDesc: The CAP `<areaDesc>` when `cap.areaDesc` is not set and the area has no
    ///     ``AreaGeometry/name``.
    ///   - layerName: The GeoPackage table (and layer identifier); default: the area's name made
    ///     a table name (``GeoPackageWriter/layerName(for:)``, the name itself as the identifier),
    ///     else `area` (and no identifier).
    /// - Returns: The area as written (WGS84 for CAP) and notes for the user.
    /// - Throws: ``AreaToolError`` `.unwritable` for an area the format cannot hold (holes in CAP,
    ///   an empty area, attributes a GeoPackage cannot hold), ``GeoError`` from PROJ,
    ///   ``OutputError``, or SQLite's error.
    public func write(
        _ area: AreaGeometry, to target: OutputTarget, as format: AreaFormat, cap: CAPAlertOptions = CAPAlertOptions(),
        areaDesc: String, layerName: String? = nil
    ) throws -> (AreaGeometry, [String]) {
        do {
            return try writeUnchecked(area, to: target, as: format, cap: cap, areaDesc: areaDesc, layerName: layerName)
        } catch let e as GeoError where e.code == .unsupportedGeometry || e.code == .unwritable {
            throw AreaToolError(.unwritable, e.message)
        }
    }

    private func writeUnchecked(
        _ area: AreaGeometry, to target: OutputTarget, as format: AreaFormat, cap: CAPAlertOptions, areaDesc: String,
        layerName: String?
    ) throws -> (AreaGeometry, [String]) {
        switch format {
        case .geojson:
            try write(area.geoJSONText(), to: target)
        case .wkt:
            try write(area.wktText(), to: target)
            if area.crs != .wgs84 { return (area, ["WKT does not store the CRS: read it back as \(area.crs)"]) }
        case .gpkg:
            let identifier = layerName ?? area.name
            let table =
                layerName ?? area.name.map(GeoPackageWriter.layerName(for:)) ?? GeoPackageWriter.defaultAreaLayer
            try AtomicFileWriter.replace(target) { tmp in
                try GeoPackageWriter.writeArea(
                    area, layer: table, identifier: identifier, to: tmp.path, context: context)
                writtenBytes = (try? FileManager.default.attributesOfItem(atPath: tmp.path)[.size] as? Int) ?? 0
            }
        case .cap:
            let lonLat = try wgs84(area)
            _ = try writeCAP(cap.message(for: lonLat, areaDesc: cap.areaDesc ?? area.name ?? areaDesc), to: target)
            if area.crs != .wgs84 { return (lonLat, ["transformed from \(area.crs) to WGS84 (CAP is always WGS84)"]) }
            return (lonLat, [])
        }
        return (area, [])
    }

    /// Writes a CAP alert whose area is one circle, atomically to a checked target.
    ///
    /// - Parameter output: The target's path as the user gave it, for the report.
    /// - Returns: What was written: no input file, one circle, WGS84.
    /// - Throws: As ``writeCAP(_:to:)``.
    public func writeCAP(circle message: CAPMessage, to target: OutputTarget, output: String) throws -> Report {
        let bytes = try writeCAP(message, to: target)
        return Report(
            input: nil, output: output, format: .cap, crs: .wgs84, polygons: 0, circles: 1, holes: 0, vertices: 0,
            bytes: bytes, notes: [])
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
        if converter == nil { converter = try CoordinateConverter(data: data) }
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
        var lonLat = area
        (lonLat.polygons, lonLat.crs) = (polygons, .wgs84)
        return lonLat
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
