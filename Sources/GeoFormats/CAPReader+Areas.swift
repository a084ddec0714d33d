import Foundation
import Geo

// MARK: - A CAP alert's areas as the features of an area file

extension CAPReader {
    /// Segments of the polygon that stands for a CAP `<circle>` (one every 5°).
    static let circleSegments = 72

    /// Reads a CAP document into the action area, choosing among its areas as among the features
    /// of a GeoJSON FeatureCollection.
    ///
    /// The features are the alert's distinct `<info>/<area>`s (identical areas repeated per
    /// language count once), numbered `#1`, `#2`, … in document order and named by `<areaDesc>`,
    /// which becomes the chosen area's `name` attribute (see ``AreaGeometry/name``).
    /// An area is the union of its `<polygon>`s and `<circle>`s; a circle becomes a polygon of
    /// ``circleSegments`` vertices on the WGS84 ellipsoid at its radius (a radius of 0 is no area).
    ///
    /// - Parameters:
    ///   - features: `.single` (several areas are refused with a list), `.id` (`#N`, or the
    ///     `areaDesc` text), `.all` (the union of every area).
    ///   - context: The GEOS context for unions.
    /// - Throws: ``GeoError`` `.parse` (see ``parse(_:name:)``), `.unsupportedGeometry` (no area
    ///   with a polygon or circle, a circle of radius 0), `.featureChoice`, `.invalidGeometry` (an
    ///   invalid polygon in a union), each naming the file and the area.
    package static func areaGeometry(
        _ data: Data, name: String, features choice: FeatureChoice = .single, context: GEOSContext
    ) throws -> AreaGeometry {
        let alert = try parse(data, name: name)
        var distinct: [CAPArea] = []
        for a in alert.areas where !distinct.contains(where: { $0.polygons == a.polygons && $0.circles == a.circles }) {
            distinct.append(a)
        }
        distinct.removeAll { $0.polygons.isEmpty && $0.circles.isEmpty }
        guard !distinct.isEmpty else {
            throw GeoError(.unsupportedGeometry, "\(name): the CAP alert has no <area> with a <polygon> or <circle>")
        }
        let labels = distinct.enumerated().map { i, a in
            FeatureLabel(id: "#\(i + 1): \(a.place) '\(AreaFeatures.clean(a.areaDesc))': \(describe(a))")
        }
        let fail = { (code: GeoError.Code, message: String) in GeoError(code, "\(name): \(message)") }
        func place(_ a: CAPArea) -> String { "\(a.place) '\(short(a.areaDesc))'" }
        // One area's <areaDesc> (when not empty) becomes its `name` attribute; a union has none.
        func area(_ polygons: [PlanarPolygon], of chosen: CAPArea? = nil) -> AreaGeometry {
            AreaGeometry(
                polygons: polygons, crs: .wgs84, source: name, format: .cap,
                properties: chosen.map { $0.areaDesc.isEmpty ? [] : [AreaProperty("name", .text($0.areaDesc))] } ?? [])
        }
        switch choice {
        case .single:
            guard distinct.count == 1 else {
                throw fail(
                    .featureChoice,
                    AreaFeatures.severalMessage(
                        place: "the CAP alert", count: distinct.count, labels: labels, idName: "'#N' or AREADESC"
                    )
                    .replacingOccurrences(of: "features;", with: "different areas (features);"))
            }
            return area(try polygons(of: distinct[0], name: name, context: context), of: distinct[0])
        case .id(let id):
            var matching = distinct.indices.filter { distinct[$0].areaDesc == id.text }
            if matching.isEmpty, let n = id.position, n <= distinct.count { matching = [n - 1] }
            guard let index = matching.first else {
                throw fail(
                    .featureChoice,
                    AreaFeatures.unknownIDMessage(
                        id, idName: "areaDesc or '#N'", place: "the CAP alert", count: distinct.count, labels: labels))
            }
            guard matching.count == 1 else {
                throw fail(
                    .featureChoice,
                    "\(matching.count) different areas have areaDesc '\(AreaFeatures.clean(id.text))' ("
                        + matching.prefix(AreaFeatures.maxListed).map { "#\($0 + 1)" }.joined(separator: ", ")
                        + "); choose one by its position, '#N'")
            }
            return area(try polygons(of: distinct[index], name: name, context: context), of: distinct[index])
        case .all:
            let parsed = distinct.enumerated().map { i, a in
                let shapes = Result { () throws(GeoError) -> [PlanarPolygon] in
                    do { return try Self.polygons(of: a, name: nil, context: context) } catch let e as GeoError {
                        throw e
                    } catch { throw GeoError(.geos, "\(error)") }
                }
                return FeatureGeometry(label: "#\(i + 1) (\(place(a)))", polygons: shapes)
            }
            return area(try AreaFeatures.union(parsed, place: "the CAP alert", context: context, fail: fail))
        }
    }

    /// One area's shapes, as polygons.
    ///
    /// Its polygons as they are when it has one shape or only polygons that form a valid
    /// MultiPolygon, else the union of its polygons and circles. Messages are prefixed with the
    /// file (when `name` is given) and area.
    private static func polygons(of a: CAPArea, name: String?, context: GEOSContext) throws -> [PlanarPolygon] {
        let prefix = (name.map { "\($0): " } ?? "") + "\(a.place) '\(short(a.areaDesc))'"
        var shapes = a.polygons.enumerated().map { i, ring in
            FeatureGeometry(label: "polygon \(i + 1)", polygons: .success([PlanarPolygon(shell: ring)]))
        }
        for (i, circle) in a.circles.enumerated() {
            guard circle.radiusKm > 0 else {
                throw GeoError(
                    .unsupportedGeometry, "\(prefix): circle \(i + 1): " + circleAdvice(circle),
                    remedies: [circleRemedy(circle)])
            }
            shapes.append(FeatureGeometry(label: "circle \(i + 1)", polygons: .success([polygon(circle)])))
        }
        if shapes.count == 1, case .success(let polygons) = shapes[0].polygons { return polygons }
        // Polygons alone that neither overlap nor are invalid form a valid MultiPolygon: kept as
        // drawn (a union would start and turn the rings elsewhere), as a GeoJSON MultiPolygon is.
        let drawn = a.polygons.map { PlanarPolygon(shell: $0) }
        if a.circles.isEmpty, try context.makeMultiPolygon(drawn).validity() == .valid { return drawn }
        return try AreaFeatures.union(
            shapes, place: "the area", context: context,
            fail: { code, message in GeoError(code, "\(prefix): \(message)") })
    }

    /// The polygon standing for a circle: ``circleSegments`` points at the radius on the WGS84
    /// ellipsoid, counter-clockwise (RFC 7946), closed.
    static func polygon(_ c: CAPCircle) -> PlanarPolygon {
        var ring: [XY] = []
        ring.reserveCapacity(circleSegments + 1)
        for k in 0..<circleSegments {
            // Azimuths run clockwise from north; going down them walks the ring counter-clockwise.
            let azimuth = -360.0 * Double(k) / Double(circleSegments)
            let p = Geodesic.wgs84.destination(from: c.center, azimuthDegrees: azimuth, distance: c.radiusKm * 1000)
            ring.append(XY(p.lon, p.lat))
        }
        ring.append(ring[0])
        return PlanarPolygon(shell: ring)
    }
}
