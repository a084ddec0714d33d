import FanoutCore
import Foundation
import GRDB
import Geo

/// How to read a participant CSV.
public struct ImportOptions: Sendable {
    /// The CRS of the position columns; `nil` means WGS84 lon/lat (EPSG:4326) with `lon,lat` columns.
    public var crs: CRS?
    /// Rows transformed and written per batch.
    public var batchSize: Int
    /// How many row errors to collect before giving up (all are reported together).
    public var maxErrors: Int
    /// The country borders that derive missing countries and check given ones (default: the
    /// borders file of the registry's data directory, ``Registry/data``).
    public var countries: ImportCountrySource

    /// Creates options.
    public init(
        crs: CRS? = nil, batchSize: Int = 8192, maxErrors: Int = 10,
        countries: ImportCountrySource = .registryData
    ) {
        self.crs = crs
        self.batchSize = max(1, batchSize)
        self.maxErrors = max(1, maxErrors)
        self.countries = countries
    }
}

/// What an import did.
public struct ImportReport: Sendable, Equatable {
    /// Data rows read.
    public var rows: Int
    /// New participants.
    public var inserted: Int
    /// Existing participants whose record was replaced.
    public var updated: Int
    /// Header columns that were not recognised and were ignored.
    public var ignoredColumns: [String]
    /// Rows outside the RDNAPTRANS2018 correction grid, transformed to RD New by the datum
    /// transformation alone (still within a millimetre near the Netherlands, see docs/measurements.md).
    public var uncorrected: Int = 0
    /// Rows without a country whose country was derived from the position.
    public var countriesDerived: Int = 0
    /// Of ``countriesDerived``, rows within ``CountryLocator/toleranceMeters`` of a border (or in
    /// two territories), where the derived country is the likelier one rather than certain.
    public var countriesDerivedNearBorder: Int = 0
    /// Rows without a country whose position lies outside NL, BE and DE: their country is empty.
    public var countriesUnknown: Int = 0
    /// Rows whose given country contradicts the position by more than the tolerance (each one a
    /// warning; the country is stored as given).
    public var countryContradictions: Int = 0
    /// Warnings naming file and line; at most 20, the rest counted in ``warningsOmitted``.
    ///
    /// For example `p.csv:12: country NL given, but the position lies in BE, 340 m from NL`.
    public var warnings: [String] = []
    /// Warnings not listed in ``warnings``.
    public var warningsOmitted: Int = 0
}

/// Progress of a running import.
public struct ImportProgress: Sendable {
    /// Data rows processed so far.
    public var rows: Int
    /// Bytes of the file read so far.
    public var bytesRead: UInt64
    /// Size of the file in bytes.
    public var totalBytes: UInt64
}

extension Registry {
    /// Imports participants from a CSV file, inserting new ids and updating existing ones.
    ///
    /// The file is streamed (memory is constant in its size) and written in one transaction:
    /// if any row is bad, nothing is written and the error lists the first bad rows with their
    /// line and field. An id that appears twice in the same file is an error.
    ///
    /// - Parameters:
    ///   - url: The CSV file: a header, then one participant per line.
    ///   - options: CRS and batching.
    ///   - progress: Called after each batch (on the calling thread).
    /// Where a row has no country (the column is missing or the field empty), it is derived from
    /// the position with the country borders (``ImportOptions/countries``); a position outside NL,
    /// BE and DE stays without one. A given country is stored as given, with a warning when the
    /// position lies farther than ``CountryLocator/toleranceMeters`` from that country. When the
    /// file has no `country` column, an updated participant keeps a stored country and only gets
    /// the derived one when it had none.
    ///
    /// - Returns: Counts of rows, inserts and updates, derived countries, the ignored columns and
    ///   the country warnings.
    /// - Throws: ``RegistryError`` `.input` for bad input, `.database` for SQLite failures;
    ///   ``GeoError`` `.unknownCRS` for a CRS PROJ does not know, `.countryBorders` when the borders
    ///   file is missing.
    public func importCSV(
        _ url: URL, options: ImportOptions = ImportOptions(), progress: ((ImportProgress) -> Void)? = nil
    ) throws -> ImportReport {
        let path = url.path
        let crs = options.crs ?? .wgs84
        let converter = try self.converter()
        try converter.validate(crs, location: options.crs == nil ? nil : ErrorLocation(field: "crs"))
        let locator: CountryLocator?
        switch options.countries {
        case .off: locator = nil
        case .registryData:
            locator = try CountryLocator(borders: try CountryBorders.load(.data(data), converter: converter))
        case .borders(let source):
            locator = try CountryLocator(borders: try CountryBorders.load(source, converter: converter))
        case .preloaded(let borders): locator = try CountryLocator(borders: borders)
        }
        let totalBytes =
            ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.uint64Value ?? 0
        var reader = try CSVReader(url: url)
        guard let header = try reader.next() else {
            throw RegistryError(.input, "\(path): empty file (expected a header line such as id,lon,lat)")
        }
        let layout = try CSVLayout(header: header.fields, path: path, crs: options.crs)
        do {
            return try database.writer().write { db in
                // A bounded 64 MiB page cache: fewer page spills and re-reads, memory still constant.
                try db.execute(sql: "PRAGMA cache_size = -65536")
                defer { try? db.execute(sql: "PRAGMA cache_size = -2000") }
                let before = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM participant") ?? 0
                try db.execute(
                    sql: "INSERT INTO import_run (file, source_crs, started_at) VALUES (?, ?, ?)",
                    arguments: [url.lastPathComponent, crs.epsg, ISO8601DateFormatter().string(from: Date())])
                let run = db.lastInsertedRowID
                var writer = try BatchWriter(
                    db: db, layout: layout, crs: crs, run: run, converter: converter, path: path,
                    countries: CountryResolver(locator: locator, path: path))
                var errors: [(location: ErrorLocation, message: String)] = []
                var rows = 0
                while let record = try reader.next() {
                    rows += 1
                    do {
                        writer.pending.append(try layout.parse(record, path: path))
                    } catch let e as RegistryError {
                        errors += try writer.flush(write: errors.isEmpty)
                        errors.append((e.location ?? ErrorLocation(input: path, line: record.line), e.message))
                    }
                    if writer.pending.count >= options.batchSize {
                        errors += try writer.flush(write: errors.isEmpty)
                        progress?(ImportProgress(rows: rows, bytesRead: reader.bytesRead, totalBytes: totalBytes))
                    }
                    if errors.count >= options.maxErrors { break }
                }
                errors += try writer.flush(write: errors.isEmpty)
                if !errors.isEmpty {
                    let shown = errors.prefix(options.maxErrors).map(\.message)
                    let more = errors.count >= options.maxErrors ? "\n(stopped after \(shown.count) errors)" : ""
                    // The location is the first error's (the message lists them all).
                    throw RegistryError(
                        .input, "\(path): import refused, nothing was written:\n" + shown.joined(separator: "\n") + more,
                        location: errors.first?.location)
                }
                guard rows > 0 else {
                    throw RegistryError(.input, "\(path): no data rows after the header")
                }
                progress?(ImportProgress(rows: rows, bytesRead: reader.bytesRead, totalBytes: totalBytes))
                let after = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM participant") ?? 0
                let inserted = after - before
                try db.execute(
                    sql: "UPDATE import_run SET inserted = ?, updated = ? WHERE id = ?",
                    arguments: [inserted, rows - inserted, run])
                let countries = writer.countries
                return ImportReport(
                    rows: rows, inserted: inserted, updated: rows - inserted, ignoredColumns: layout.unknown,
                    uncorrected: writer.uncorrected, countriesDerived: countries.derived,
                    countriesDerivedNearBorder: countries.derivedNearBorder, countriesUnknown: countries.unknown,
                    countryContradictions: countries.contradictions, warnings: countries.warnings,
                    warningsOmitted: countries.warningsOmitted)
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "import")
        }
    }
}

/// Transforms and upserts batches of parsed rows inside the import transaction.
private struct BatchWriter {
    var pending: [ParticipantRow] = []
    let db: Database
    let crs: CRS
    let run: Int64
    let converter: CoordinateConverter
    let path: String
    let statement: Statement
    let layout: CSVLayout
    /// Derives and checks countries; holds the counts and warnings.
    var countries: CountryResolver

    init(
        db: Database, layout: CSVLayout, crs: CRS, run: Int64, converter: CoordinateConverter, path: String,
        countries: CountryResolver
    ) throws {
        self.db = db
        self.countries = countries
        self.layout = layout
        self.crs = crs
        self.run = run
        self.converter = converter
        self.path = path
        // Optional columns absent from the file keep their stored value on update.
        statement = try db.makeStatement(
            sql: ParticipantColumn.upsertSQL(
                updating: layout.attributes.map(\.column), derivedCountry: true, oncePerRun: true))
    }

    /// Rows transformed to RD New without the RDNAPTRANS2018 correction (outside its grid).
    var uncorrected = 0

    /// Transforms the pending rows, checks their positions and (when `write`) upserts them.
    ///
    /// Rows are transformed in groups of equal CRS (the file's, or the row's own `crs`).
    ///
    /// - Returns: The row errors found with their file and line, in line order (positions outside
    ///   the service region, unknown CRSs, ids repeated within the file).
    mutating func flush(write: Bool) throws -> [(location: ErrorLocation, message: String)] {
        defer { pending.removeAll(keepingCapacity: true) }
        let n = pending.count
        if n == 0 { return [] }
        var errors: [(line: Int, message: String)] = []
        var lon = [Double](repeating: .nan, count: n)
        var lat = lon
        var rdX = lon
        var rdY = lon
        var groups: [CRS: [Int]] = [:]
        for (i, row) in pending.enumerated() { groups[row.record.position.crs, default: []].append(i) }
        for (groupCRS, indices) in groups.sorted(by: { $0.key.epsg < $1.key.epsg }) {
            if let problem = try transform(indices, from: groupCRS, lon: &lon, lat: &lat, rdX: &rdX, rdY: &rdY) {
                errors.append(problem)
            }
        }
        for (i, row) in pending.enumerated() where lon[i].isFinite {
            let rowCRS = row.record.position.crs
            let ll = LonLat(lon: lon[i], lat: lat[i])
            if rowCRS != .wgs84 && !ServiceRegion.contains(ll) {
                errors.append((row.line, positionError(row, detail: projectedProblem(row, crs: rowCRS, lonLat: ll))))
            }
        }
        func located(_ errors: [(line: Int, message: String)]) -> [(location: ErrorLocation, message: String)] {
            errors.map { (ErrorLocation(input: path, line: $0.line), $0.message) }
        }
        guard write, errors.isEmpty else { return located(errors.sorted { $0.line < $1.line }) }
        for (i, row) in pending.enumerated() {
            let rd = RDPoint(x: rdX[i], y: rdY[i])
            var record = row.record
            record.country = try countries.country(given: record.country, line: row.line, rd: rd)
            let stored = Registry.Participant(record: record, lonLat: LonLat(lon: lon[i], lat: lat[i]), rd: rd)
            try statement.execute(arguments: ParticipantColumn.arguments(of: stored, run: run))
            if db.changesCount == 0 {
                errors.append(
                    (row.line, "\(path):\(row.line): field 'id': \(record.id) appears more than once in this file"))
            }
        }
        return located(errors)
    }

    /// Transforms the rows at `indices` (all in `source`) into the output arrays.
    ///
    /// - Returns: The first row error, if the group cannot be transformed; its outputs stay NaN.
    private mutating func transform(
        _ indices: [Int], from source: CRS, lon: inout [Double], lat: inout [Double], rdX: inout [Double],
        rdY: inout [Double]
    ) throws -> (line: Int, message: String)? {
        if source == .wgs84 {
            // Check degrees before PROJ sees them: the region check explains swaps and metres.
            for i in indices {
                let row = pending[i]
                if let problem = ServiceRegion.problem(with: LonLat(lon: row.x, lat: row.y)) {
                    return (row.line, positionError(row, detail: problem))
                }
            }
        }
        let first = pending[indices[0]]
        do {
            try converter.validate(source, at: "\(path):\(first.line)" + (first.ownCRS ? ": field 'crs'" : ""))
        } catch let e as GeoError {
            return (first.line, e.message)
        }
        var xs = indices.map { pending[$0].record.position.x }
        var ys = indices.map { pending[$0].record.position.y }
        var lx = xs
        var ly = ys
        do {
            uncorrected += try converter.toRD(xs: &xs, ys: &ys, from: source).uncorrected.count
            try converter.toLonLat(xs: &lx, ys: &ly, from: source)
        } catch {
            // Name the first row PROJ cannot transform.
            for i in indices {
                let row = pending[i]
                var px = [row.x]
                var py = [row.y]
                if (try? converter.toRD(xs: &px, ys: &py, from: source)) == nil {
                    return (
                        row.line,
                        positionError(row, detail: "\(source) x \(row.x), y \(row.y) cannot be transformed (\(error))")
                    )
                }
            }
            throw error
        }
        for (k, i) in indices.enumerated() {
            (lon[i], lat[i], rdX[i], rdY[i]) = (lx[k], ly[k], xs[k], ys[k])
        }
        return nil
    }

    private func positionError(_ row: ParticipantRow, detail: String) -> String {
        "\(path):\(row.line): fields '\(layout.xName),\(layout.yName)': \(detail)"
    }

    /// Explains a projected position outside the region: swapped axes, degrees, or another CRS
    /// that fits (``ServiceRegion/misplacement(of:in:converter:)``, shared with the area readers).
    private func projectedProblem(_ row: ParticipantRow, crs: CRS, lonLat: LonLat) -> String {
        let base =
            "\(crs) x \(row.x), y \(row.y) lies at lon \(lonLat.lon), lat \(lonLat.lat), outside the service region"
        guard
            let hint = ServiceRegion.misplacement(of: [XY(row.x, row.y)], in: crs, converter: converter)?.hint
        else { return base }
        return base + "; " + hint
    }
}

extension ImportReport: Encodable {
    /// The report's keys in `--json` (docs/schemas/import.schema.json).
    enum CodingKeys: String, CodingKey {
        case rows, inserted, updated, uncorrected, warnings
        case ignoredColumns = "ignored_columns"
        case countriesDerived = "countries_derived"
        case countriesDerivedNearBorder = "countries_derived_near_border"
        case countriesUnknown = "countries_unknown"
        case countryContradictions = "country_contradictions"
        case warningsOmitted = "warnings_omitted"
    }
}
