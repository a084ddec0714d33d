import Foundation
import GRDB
import Geo

extension Registry {
    /// Format of the stored index arrays; a stored copy of another format is ignored.
    static let snapshotFormat = 1

    /// The registry's generation: a counter every insert, update and delete of a participant bumps
    /// (by triggers, so writers other than fanout count too).
    ///
    /// - Throws: ``RegistryError`` `.database`.
    public func generation() throws -> Int64 {
        do {
            return try pool.read { db in
                try Int64.fetchOne(db, sql: "SELECT generation FROM registry_state WHERE id = 1") ?? 0
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "reading the generation")
        }
    }

    /// The stored packed index, if one was stored for the current generation and is intact.
    ///
    /// - Throws: ``RegistryError`` `.database`.
    public func loadIndexSnapshot() throws -> PackedIndexData? {
        do {
            return try pool.read { db -> PackedIndexData? in
                let current = try Int64.fetchOne(db, sql: "SELECT generation FROM registry_state WHERE id = 1") ?? -1
                guard
                    let row = try Row.fetchOne(
                        db, sql: "SELECT * FROM index_snapshot WHERE id = 1 AND format = ? AND generation = ?",
                        arguments: [Self.snapshotFormat, current])
                else { return nil }
                var columns = ParticipantColumns()
                guard let ids: [Int64] = Self.array(row["ids"]), let xs: [Double] = Self.array(row["xs"]),
                    let ys: [Double] = Self.array(row["ys"]), let countries: [UInt16] = Self.array(row["countries"]),
                    let cellStart: [UInt32] = Self.array(row["cell_start"])
                else { return nil }
                (columns.ids, columns.xs, columns.ys, columns.countries) = (ids, xs, ys, countries)
                let data = PackedIndexData(
                    columns: columns, originX: row["origin_x"], originY: row["origin_y"], cellSize: row["cell_size"],
                    nx: row["nx"], ny: row["ny"], cellStart: cellStart)
                return data.isConsistent ? data : nil
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "loading the index snapshot")
        }
    }

    /// Stores `data` as the packed index of `generation`, replacing any older copy; does nothing
    /// when the registry has changed since `generation` (the copy would be stale at once).
    ///
    /// - Returns: Whether the copy was stored.
    /// - Throws: ``RegistryError`` `.database`.
    @discardableResult
    public func storeIndexSnapshot(_ data: PackedIndexData, generation: Int64) throws -> Bool {
        do {
            return try database.writer().write { db in
                let current = try Int64.fetchOne(db, sql: "SELECT generation FROM registry_state WHERE id = 1") ?? -1
                guard current == generation else { return false }
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO index_snapshot
                            (id, format, generation, origin_x, origin_y, cell_size, nx, ny, ids, xs, ys, countries, cell_start)
                        VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        Self.snapshotFormat, generation, data.originX, data.originY, data.cellSize, data.nx, data.ny,
                        Self.blob(data.columns.ids), Self.blob(data.columns.xs), Self.blob(data.columns.ys),
                        Self.blob(data.columns.countries), Self.blob(data.cellStart),
                    ])
                return true
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "storing the index snapshot")
        }
    }

    /// The bytes of a numeric array (little-endian on every platform fanout runs on).
    static func blob<T: FixedWidthInteger>(_ values: [T]) -> Data {
        values.map { $0.littleEndian }.withUnsafeBytes { Data($0) }
    }

    static func blob(_ values: [Double]) -> Data { blob(values.map(\.bitPattern)) }

    /// An array from a BLOB, or `nil` when its length is not a whole number of elements.
    static func array<T: FixedWidthInteger>(_ data: Data?) -> [T]? {
        guard let data, data.count % MemoryLayout<T>.size == 0 else { return nil }
        let n = data.count / MemoryLayout<T>.size
        return [T](unsafeUninitializedCapacity: n) { buffer, count in
            _ = data.copyBytes(to: buffer)
            for i in 0..<n { buffer[i] = T(littleEndian: buffer[i]) }
            count = n
        }
    }

    static func array(_ data: Data?) -> [Double]? {
        #if _endian(little)
            // IEEE doubles stored little-endian: the bytes are the values.
            guard let data, data.count % 8 == 0 else { return nil }
            return [Double](unsafeUninitializedCapacity: data.count / 8) { buffer, count in
                _ = data.copyBytes(to: buffer)
                count = data.count / 8
            }
        #else
            let bits: [UInt64]? = array(data)
            return bits?.map { Double(bitPattern: $0) }
        #endif
    }
}
