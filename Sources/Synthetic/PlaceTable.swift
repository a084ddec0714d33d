import Foundation

/// Reads the table of populated places (`data/places.csv`, bundled as a resource).
///
/// The table is a CSV file (RFC 4180: comma-separated, optional double quotes, `""` for a quote
/// inside quotes) whose header names at least the columns `name,country,lon,lat,population`, in any
/// order. Every error names the file, the 1-based line and the field.
public enum PlaceTable {
    /// The columns every place table must have.
    static let requiredColumns = ["name", "country", "lon", "lat", "population"]

    /// Where the bundled place table is (a copy of `data/places.csv` in this module's resource
    /// bundle), or `nil` when the bundle lacks it.
    public static var resourceURL: URL? { Bundle.module.url(forResource: "places", withExtension: "csv") }

    /// Loads the place table bundled with this module (GeoNames, CC BY 4.0; see `data/LICENSES.md`).
    ///
    /// - Returns: The places in file order: NL, then the BE and DE border strip.
    /// - Throws: ``SyntheticError`` with code `missingResource` or `io` if the resource cannot be read,
    ///   `invalidPlaceTable` if it is malformed.
    public static func load() throws -> [Place] {
        guard let url = resourceURL else {
            throw SyntheticError(.missingResource, "places.csv is not in the Synthetic resource bundle")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SyntheticError(.io, "cannot read \(url.path): \(error.localizedDescription)", file: "places.csv")
        }
        return try parse(bytes: [UInt8](data), file: "places.csv")
    }

    /// Parses a place table from CSV text.
    ///
    /// - Parameter csv: The whole file: a header line and one place per line.
    /// - Returns: The places in the order of the text.
    /// - Throws: ``SyntheticError`` with code `invalidPlaceTable`, naming the line and the field, when a
    ///   column is missing, a row has the wrong number of fields, a number does not parse or is out of
    ///   range, or a country is not two capital letters.
    /// - Complexity: O(n) in the length of the text.
    public static func parse(csv: String) throws -> [Place] {
        try parse(bytes: Array(csv.utf8), file: nil)
    }

    // MARK: - Internals

    static func parse(bytes: [UInt8], file: String?) throws -> [Place] {
        var reader = CSVRecordReader(bytes: bytes)
        func fail(_ message: String, line: Int, field: String? = nil) -> SyntheticError {
            SyntheticError(.invalidPlaceTable, message, file: file, line: line, field: field)
        }
        guard let (headerLine, header) = try reader.next(file: file) else {
            throw fail("the file is empty; expected the header \(requiredColumns.joined(separator: ","))", line: 1)
        }
        var index: [String: Int] = [:]
        for (i, column) in header.enumerated() {
            let key = column.trimmingCharacters(in: .whitespaces)
            if index[key] == nil { index[key] = i }
        }
        var columns: [Int] = []
        for column in requiredColumns {
            guard let i = index[column] else {
                throw fail(
                    "missing column; the header is \(header.joined(separator: ","))", line: headerLine,
                    field: column)
            }
            columns.append(i)
        }
        let (nameAt, countryAt, lonAt, latAt, populationAt) = (
            columns[0], columns[1], columns[2], columns[3], columns[4]
        )

        var places: [Place] = []
        while let (line, fields) = try reader.next(file: file) {
            if fields.count == 1 && fields[0].isEmpty { continue }  // blank line
            guard fields.count == header.count else {
                throw fail("expected \(header.count) fields, found \(fields.count)", line: line)
            }
            let name = fields[nameAt]
            guard !name.isEmpty else { throw fail("empty name", line: line, field: "name") }
            let country = fields[countryAt]
            guard country.utf8.count == 2, country.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }) else {
                throw fail("not an ISO 3166-1 alpha-2 code: \"\(country)\"", line: line, field: "country")
            }
            guard let lon = Double(fields[lonAt]), lon.isFinite else {
                throw fail("not a number: \"\(fields[lonAt])\"", line: line, field: "lon")
            }
            guard (-180...180).contains(lon) else {
                throw fail("longitude \(lon) is outside -180...180", line: line, field: "lon")
            }
            guard let lat = Double(fields[latAt]), lat.isFinite else {
                throw fail("not a number: \"\(fields[latAt])\"", line: line, field: "lat")
            }
            guard (-90...90).contains(lat) else {
                throw fail("latitude \(lat) is outside -90...90", line: line, field: "lat")
            }
            guard let population = Int(fields[populationAt]) else {
                throw fail("not an integer: \"\(fields[populationAt])\"", line: line, field: "population")
            }
            guard population >= 0 else {
                throw fail("negative population \(population)", line: line, field: "population")
            }
            places.append(Place(name: name, country: country, lon: lon, lat: lat, population: population))
        }
        return places
    }
}
