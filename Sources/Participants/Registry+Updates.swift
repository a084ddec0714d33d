import Foundation
import GRDB
import Geo

extension Registry {
    /// Registers new participants and updates existing ones, in one transaction.
    ///
    /// The records were checked when they were made (``ParticipantRecord``); here each position is
    /// transformed and checked against the service region. A record without a country gets the one
    /// its position lies in (the NL/BE/DE borders, as the CSV import derives it); outside all three
    /// it stays empty.
    ///
    /// - Returns: The changes the in-memory index must apply (new RD New positions).
    /// - Throws: ``RegistryError`` `.input` naming the record and field `position` when a position
    ///   cannot be placed, and then nothing is written; `.database` for SQLite.
    public func upsert(_ records: [ParticipantRecord]) throws -> [ParticipantChange] {
        try upsert(records, alongside: nil)
    }

    /// Registers and updates participants as ``upsert(_:)`` does, with `alongside` written in the
    /// same transaction (a command's audit record: both are written or neither).
    package func upsert(_ records: [ParticipantRecord], alongside: AlongsideWrite?) throws -> [ParticipantChange] {
        if records.isEmpty { return [] }
        let converter = try self.converter()
        var rd: [RDPoint] = []
        var lonLat: [LonLat] = []
        for (i, r) in records.enumerated() {
            let at = "record \(i + 1) (id \(r.id))"
            var xs = [r.position.x]
            var ys = [r.position.y]
            var lx = xs
            var ly = ys
            do {
                try converter.toRD(xs: &xs, ys: &ys, from: r.position.crs)
                try converter.toLonLat(xs: &lx, ys: &ly, from: r.position.crs)
            } catch let e as GeoError {
                throw RegistryError(.input, "\(at): field 'position': \(e.message)")
            }
            let ll = LonLat(lon: lx[0], lat: ly[0])
            if let problem = ServiceRegion.problem(with: ll) {
                throw RegistryError(.input, "\(at): field 'position': \(problem)")
            }
            rd.append(RDPoint(x: xs[0], y: ys[0]))
            lonLat.append(ll)
        }
        var countries = records.map(\.country)
        if countries.contains(nil) {
            let loaded = try borders.withLock { cached in
                if let cached { return cached }
                let fresh = try CountryBorders.load(.data(data), converter: converter)
                cached = fresh
                return fresh
            }
            let locator = try CountryLocator(borders: loaded)
            for i in countries.indices where countries[i] == nil {
                countries[i] = try locator.country(at: rd[i]).country
            }
        }
        do {
            try database.writer().write { db in
                try db.execute(
                    sql: "INSERT INTO import_run (file, source_crs, started_at) VALUES ('library upsert', 0, ?)",
                    arguments: [ISO8601DateFormatter().string(from: Date())])
                let run = db.lastInsertedRowID
                let statement = try db.makeStatement(
                    sql: ParticipantColumn.upsertSQL(
                        updating: ParticipantColumn.attributes, derivedCountry: false, oncePerRun: false))
                for (i, r) in records.enumerated() {
                    var stored = r
                    stored.country = countries[i]
                    let p = Participant(record: stored, lonLat: lonLat[i], rd: rd[i])
                    try statement.execute(arguments: ParticipantColumn.arguments(of: p, run: run))
                }
                try alongside?.write(db)
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "upsert")
        }
        return records.enumerated().map { i, r in
            .upsert(id: r.id, position: rd[i], country: countries[i])
        }
    }

    /// Removes participants (ids not registered are ignored).
    ///
    /// - Returns: The changes for the in-memory index, one per id removed.
    /// - Throws: ``RegistryError`` `.database`.
    public func remove(ids: [Int64]) throws -> [ParticipantChange] {
        try remove(ids: ids, alongside: nil)
    }

    /// Removes participants as ``remove(ids:)`` does, with `alongside` written in the same
    /// transaction (a command's audit record: both are written or neither).
    package func remove(ids: [Int64], alongside: AlongsideWrite?) throws -> [ParticipantChange] {
        do {
            return try database.writer().write { db in
                var removed: [ParticipantChange] = []
                let statement = try db.makeStatement(sql: "DELETE FROM participant WHERE id = ?")
                for id in ids {
                    try statement.execute(arguments: [id])
                    if db.changesCount > 0 { removed.append(.remove(id: id)) }
                }
                try alongside?.write(db)
                return removed
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "remove")
        }
    }
}

/// A write another module adds to a registry change's transaction (the dispatch ledger's record
/// of the command that made the change), so that the change and the record commit together.
package struct AlongsideWrite: Sendable {
    /// Writes into the open transaction; throwing rolls the whole change back.
    package let write: @Sendable (Database) throws -> Void

    /// Wraps a write.
    package init(_ write: @escaping @Sendable (Database) throws -> Void) { self.write = write }
}
