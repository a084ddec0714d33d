import FanoutCore
import Geo

/// One participant as read from a CSV file: the record (its position still in the source CRS)
/// and where it came from.
struct ParticipantRow {
    var line: Int
    var record: ParticipantRecord
    /// Whether the row named its own CRS (`crs` column): then a CRS error names that field.
    var ownCRS: Bool
    /// The first coordinate as given.
    var x: Double { record.position.x }
    /// The second coordinate as given.
    var y: Double { record.position.y }
}

/// The columns a participant CSV may have, located in its header.
struct CSVLayout {
    var id: Int
    var x: Int
    var y: Int
    var xName: String
    var yName: String
    var crs: Int?
    /// The attribute columns the file has (``ParticipantColumn/attributes`` order) and their field index.
    var attributes: [(column: ParticipantColumn, index: Int)]
    /// The file's CRS, for rows without a `crs` field.
    var fileCRS: CRS
    var columnCount: Int
    /// Header names that are not ours, ignored (reported once as a warning).
    var unknown: [String]

    /// Locates the columns in `header`.
    ///
    /// - Parameter crsGiven: whether the user named the CRS (then `x,y` are accepted; so they are
    ///   when the file has a `crs` column).
    /// - Throws: ``RegistryError`` `.input` naming what is missing or repeated.
    init(header: [String], path: String, crs fileCRS: CRS?) throws {
        let crsGiven = fileCRS != nil
        self.fileCRS = fileCRS ?? .wgs84
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let header1 = ErrorLocation(input: path, line: 1)
        var index: [String: Int] = [:]
        for (i, n) in names.enumerated() {
            if n.isEmpty { continue }
            if index[n] != nil {
                throw RegistryError(
                    .input, "\(path):1: column '\(n)' appears twice in the header", location: header1.with(field: n))
            }
            index[n] = i
        }
        guard let id = index["id"] else {
            throw RegistryError(
                .input, "\(path):1: missing required column 'id' (header must have id,lon,lat or, with a CRS given, id,x,y)",
                location: header1.with(field: "id"))
        }
        if let lon = index["lon"], let lat = index["lat"] {
            (x, y, xName, yName) = (lon, lat, "lon", "lat")
        } else if let ex = index["x"], let wy = index["y"] {
            guard crsGiven || index["crs"] != nil else {
                throw RegistryError(
                    .input,
                    "\(path):1: columns x,y need a CRS (ImportOptions.crs) or a crs column to say what they are "
                        + "(lon,lat are WGS84)",
                    location: header1.with(field: "crs"))
            }
            (x, y, xName, yName) = (ex, wy, "x", "y")
        } else {
            let missing = ["lon", "lat"].filter { index[$0] == nil }
            throw RegistryError(
                .input,
                "\(path):1: missing required column\(missing.count > 1 ? "s" : "") \(missing.map { "'\($0)'" }.joined(separator: " and ")) "
                    + "(header must have id,lon,lat or, with a CRS given, id,x,y)",
                location: header1.with(field: missing.first))
        }
        self.id = id
        crs = index["crs"]
        attributes = ParticipantColumn.attributes.compactMap { c in index[c.sqlName].map { (c, $0) } }
        columnCount = names.count
        unknown = names.filter { !$0.isEmpty && !ParticipantColumn.csvNames.contains($0) }
    }

    /// Parses and checks one record.
    ///
    /// - Throws: ``RegistryError`` `.input` naming the file, line and field; personal fields are
    ///   described, never quoted, and so is any value that looks like a phone number or an e-mail
    ///   address (``QuotedValue``), in whatever column it is.
    func parse(_ fields: CSVReader.Record, path: String) throws -> ParticipantRow {
        let f = fields.fields
        let csvLine = fields.line
        let at = "\(path):\(csvLine)"
        let here = ErrorLocation(input: path, line: csvLine)
        guard f.count == columnCount else {
            throw RegistryError(.input, "\(at): \(f.count) fields, the header has \(columnCount)", location: here)
        }
        func text(_ i: Int?) -> String? {
            guard let i else { return nil }
            let t = f[i].trimmedSpaces
            return t.isEmpty ? nil : String(t)
        }
        let idText = f[id].trimmedSpaces
        if let problem = QuotedValue.idProblem(idText) {
            throw RegistryError(.input, "\(at): field 'id': \(problem)", location: here.with(field: "id"))
        }
        let idValue = Int64(idText) ?? 0
        func number(_ i: Int, _ name: String) throws -> Double {
            let t = f[i].trimmedSpaces
            // `Double("+31612345678")` parses: a phone number in a position column is refused here,
            // described, before a position message could show it as a coordinate.
            if QuotedValue.looksLikePhoneNumber(t) || QuotedValue.looksLikeEmailAddress(t) {
                throw RegistryError(
                    .input,
                    "\(at): field '\(name)': \(QuotedValue.describe(t)) is not a coordinate; are the columns in the "
                        + "header's order?", location: here.with(field: name))
            }
            guard let v = Double(t), v.isFinite else {
                throw RegistryError(
                    .input,
                    "\(at): field '\(name)': \(QuotedValue.describe(t)) is not a number"
                        + (t.isEmpty ? " (empty)" : ""), location: here.with(field: name))
            }
            return v
        }
        var record = ParticipantRecord(
            unchecked: idValue, position: SourcePoint(x: try number(x, xName), y: try number(y, yName), crs: fileCRS))
        if let c = text(crs) {
            guard let code = CRS(parsing: c) else {
                throw RegistryError(
                    .input,
                    "\(at): field 'crs': \(QuotedValue.describe(c, limit: 20)) is not a CRS name (\(CRS.acceptedForms))",
                    location: here.with(field: "crs"))
            }
            record.position.crs = code
        }
        do {
            for (column, i) in attributes {
                if let t = text(i) { try column.assign(t, to: &record) }
            }
            try ParticipantColumn.check(record)
        } catch let e as RegistryError {
            throw RegistryError(.input, "\(at): \(e.message)", location: here.with(field: e.field))
        }
        return ParticipantRow(line: csvLine, record: record, ownCRS: text(crs) != nil)
    }
}
