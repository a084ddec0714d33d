import Foundation
import Geo

/// One feature of a multi-feature area file as messages name it: its id and, when it has one, a
/// name-like attribute (`name`, `naam`, `statnaam`, …).
struct FeatureLabel: Sendable, Equatable {
    /// How the feature is identified: `fid 3`, `id 7`, `id "noord"`, or `features[4] (no id; '#5')`.
    var id: String
    /// The name-like attribute and its value (cleaned for a terminal), if the feature has one.
    var name: (attribute: String, value: String)?

    static func == (a: FeatureLabel, b: FeatureLabel) -> Bool {
        a.id == b.id && a.name?.attribute == b.name?.attribute && a.name?.value == b.name?.value
    }

    /// The line for a list: `fid 3: statnaam 'Noord'`.
    var text: String {
        guard let name else { return id }
        return "\(id): \(name.attribute) '\(name.value)'"
    }
}

/// One feature's polygons as read, or why it cannot be part of an area.
struct FeatureGeometry {
    /// The feature's id as messages name it (``FeatureLabel/id``).
    var label: String
    /// The polygons, or the reason (a ``GeoError`` whose message does not name the file).
    var polygons: Result<[PlanarPolygon], GeoError>
}

/// What the GeoPackage and GeoJSON readers share about files with several features: the
/// attributes that name a feature, the messages that list features, and the union of all of them.
enum AreaFeatures {
    /// Features listed in a message before the rest are only counted.
    static let maxListed = 10

    /// Attribute names that hold a feature's name, most telling first.
    ///
    /// Matched without regard to case (so `NAME` and `Naam` count). Dutch CBS layers use `statnaam`, `gemeentenaam`,
    /// `wijknaam` and `buurtnaam`.
    static var nameAttributes: [String] { AreaProperty.nameKeys }

    /// The attribute among `keys` that names a feature, if any (the first of ``nameAttributes``).
    static func nameAttribute(among keys: some Sequence<String>) -> String? { AreaProperty.nameKey(among: keys) }

    /// Text from a file, made safe for a one-line message: control characters become `?`, and
    /// text longer than `limit` characters is cut with `…`.
    static func clean(_ text: String, limit: Int = 60) -> String {
        let safe = String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
        return safe.count > limit ? safe.prefix(limit - 1) + "…" : safe
    }

    /// The lines listing features (up to ``maxListed``, then how many more), each indented.
    static func list(_ labels: [FeatureLabel], count: Int) -> String {
        var lines = labels.prefix(maxListed).map { "  " + $0.text }
        if count > lines.count { lines.append("  … and \(count - lines.count) more") }
        return lines.joined(separator: "\n")
    }

    /// The message for a file with several features and no choice.
    ///
    /// - Parameters:
    ///   - place: What holds them: `layer 'districts'` or `the FeatureCollection`.
    ///   - count: How many features it holds.
    ///   - labels: The first features (up to ``maxListed`` are listed).
    ///   - idName: How ``FeatureChoice/id(_:)`` takes the id: `FID` or `ID`.
    static func severalMessage(place: String, count: Int, labels: [FeatureLabel], idName: String) -> String {
        var text = "\(place) holds \(count) features; an area is one feature, so say which:\n"
        text += list(labels, count: count)
        text += "\nchoose one by its \(idName) (FeatureChoice.id), or take their union as one area (FeatureChoice.all)"
        if labels.contains(where: { $0.id.contains("(no id;") }) {
            text += noIDHint
        }
        return text
    }

    /// The message for an id that no feature has.
    static func unknownIDMessage(
        _ id: FeatureID, idName: String, place: String, count: Int, labels: [FeatureLabel]
    ) -> String {
        "\(place) has no feature with \(idName) \(clean(id.text)); it holds \(count) feature"
            + (count == 1 ? "" : "s") + ":\n" + list(labels, count: count)
            + (labels.contains(where: { $0.id.contains("(no id;") }) ? noIDHint : "")
    }

    /// Appended when GeoJSON features lack an `id` member.
    static let noIDHint =
        "\nfeatures without an \"id\" member are chosen by their position in the file: '#N' "
        + "(1 for the first)"

    // MARK: - Union

    /// The union of every feature's polygons, all or nothing.
    ///
    /// Every feature must have polygons, and every polygon must be valid on its own (parts may
    /// overlap or touch each other: the union dissolves them). Otherwise nothing is returned and
    /// the error lists each feature that is in the way (up to ``maxListed``) with the reason.
    ///
    /// - Parameters:
    ///   - features: The features, in file order.
    ///   - place: What holds them, for the message (`layer 'districts'`).
    ///   - context: The GEOS context.
    ///   - fail: Makes the error (prefixing the file name).
    /// - Returns: The union's polygons (one for a Polygon, several for a MultiPolygon).
    /// - Throws: ``GeoError`` `.unsupportedGeometry` (a feature without polygons) or
    ///   `.invalidGeometry` (an invalid polygon) naming the features; `.geos` when the union fails.
    /// - Complexity: The GEOS cascaded union, about O(n log n) in the number of vertices.
    static func union(
        _ features: [FeatureGeometry], place: String, context: GEOSContext,
        fail: (GeoError.Code, String) -> GeoError
    ) throws -> [PlanarPolygon] {
        var problems: [(feature: String, part: String, error: GeoError)] = []
        var parts: [PlanarPolygon] = []
        for feature in features {
            switch feature.polygons {
            case .failure(let error):
                problems.append((feature.label, feature.label, error))
            case .success(let polygons):
                for (index, polygon) in polygons.enumerated() {
                    if let problem = try invalidity(of: polygon, context: context) {
                        let part = polygons.count == 1 ? feature.label : "\(feature.label), polygon \(index + 1)"
                        problems.append((feature.label, part, problem))
                    }
                }
                parts += polygons
            }
        }
        if !problems.isEmpty {
            let featureCount = Set(problems.map(\.feature)).count
            let lines = problems.prefix(maxListed).map { "  \($0.part): \($0.error.message)" }
            let more = problems.count > maxListed ? ["  … and \(problems.count - maxListed) more"] : []
            let allInvalid = problems.allSatisfy { $0.error.code == .invalidGeometry }
            throw fail(
                allInvalid ? .invalidGeometry : .unsupportedGeometry,
                "\(place): \(featureCount) of \(features.count) feature\(features.count == 1 ? "" : "s") cannot be "
                    + "part of the area, so none is used:\n" + (lines + more).joined(separator: "\n")
                    + "\nfix or delete them, or choose one feature (FeatureChoice.id)")
        }
        let union = try context.makeMultiPolygon(parts).unaryUnion()
        let type = try union.typeID
        guard type == .polygon || type == .multiPolygon else {
            throw fail(.unsupportedGeometry, "\(place): the union of its features is a \(type), not an area")
        }
        let polygons = try union.polygons()
        guard !polygons.isEmpty else {
            throw fail(.unsupportedGeometry, "\(place): the union of its features is empty")
        }
        // GEOS's union returns clockwise shells, which `area check` would warn about although
        // the user drew nothing that way.
        return polygons.map(\.orientedRFC7946)
    }

    /// Why a polygon cannot go into a union (too few points, not closed, or GEOS finds it
    /// invalid), or `nil` when it can.
    private static func invalidity(of polygon: PlanarPolygon, context: GEOSContext) throws -> GeoError? {
        let geometry: GEOSGeometry
        do { geometry = try context.makePolygon(polygon) } catch let e as GeoError where e.code == .invalidGeometry {
            return e
        }
        guard case .invalid(let reason, let location) = try geometry.validity() else { return nil }
        let at = location.map { " at \($0.x),\($0.y)" } ?? ""
        return GeoError(.invalidGeometry, "invalid polygon: \(reason)\(at)")
    }
}
