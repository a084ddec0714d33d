import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutTesting
import GRDB
import Geo
import GeoFormats
import Participants
import Selection
import Synthetic

/// A participant found through SQLite's R*Tree module, with its distance to the incident point.
public struct RTreeMatch: Sendable, Hashable {
    /// The participant id.
    public var id: Int64
    /// The stored RD New position (the `rd_x`, `rd_y` doubles of the `participant` table).
    public var rd: RDPoint
    /// Distance from the incident point in RD New metres, `sqrt(dx*dx + dy*dy)` computed by SQLite
    /// on the stored doubles (bit-identical to ``RDPoint/distance(to:)``).
    public var distanceMeters: Double
    /// The stored country code, if any.
    public var country: CountryCode?
}

extension Registry {
    /// The in-memory database attached to the writer connection that holds the R*Tree.
    static let rtreeSchema = "fanout_rtree"
    /// How far the R*Tree search box is widened on every side, in metres.
    ///
    /// The R*Tree stores 32-bit floats; their spacing is at most 1/16 m below 2^19 m (all of RD New
    /// in the service region), and SQLite rounds stored boxes outwards anyway. The exact test on the
    /// stored doubles removes whatever the wider box lets in.
    static let rtreeSlackMeters = 2.0

    // MARK: - Building

    /// Builds (or rebuilds) an R*Tree over every participant's RD New position, in memory.
    ///
    /// The tree lives in an in-memory database attached to the registry's writer connection
    /// (`fanout_rtree.participant_rtree`), so the registry file and its schema are unchanged and
    /// nothing persists after the registry is closed. Each participant is a degenerate box
    /// `(rd_x, rd_x, rd_y, rd_y)` keyed by its id. The tree is a snapshot: participants imported
    /// after the build are not in it until the next build.
    ///
    /// A comparison peer for the engine's index (`fanout loadtest --peers sqlite-rtree`), not used
    /// by ``Engine`` selections.
    ///
    /// - Returns: The number of participants indexed.
    /// - Throws: ``RegistryError`` `.database`, e.g. when the linked SQLite lacks the R*Tree module.
    /// - Complexity: O(n log n) R*Tree insertions, run in one SQL statement; about 20 s of CPU
    ///   for 1.6 million participants.
    @discardableResult
    public func buildRTreeIndex() throws -> Int {
        do {
            return try pool.writeWithoutTransaction { db in
                try Self.buildRTree(db)
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "building the R*Tree")
        }
    }

    private static func hasRTree(_ db: Database) throws -> Bool {
        let attached =
            try Bool.fetchOne(
                db, sql: "SELECT COUNT(*) > 0 FROM pragma_database_list WHERE name = ?", arguments: [rtreeSchema])
            ?? false
        guard attached else { return false }
        return try Bool.fetchOne(
            db, sql: "SELECT COUNT(*) > 0 FROM \(rtreeSchema).sqlite_master WHERE name = 'participant_rtree'") ?? false
    }

    private static func buildRTree(_ db: Database) throws -> Int {
        let attached =
            try Bool.fetchOne(
                db, sql: "SELECT COUNT(*) > 0 FROM pragma_database_list WHERE name = ?", arguments: [rtreeSchema])
            ?? false
        if !attached {
            try db.execute(sql: "ATTACH DATABASE ':memory:' AS \(rtreeSchema)")
        }
        // Deferred: only the in-memory database is written, so the registry file's write lock is
        // never taken and imports in other processes are not blocked during the build.
        try db.inTransaction(.deferred) {
            try db.execute(
                sql: """
                    DROP TABLE IF EXISTS \(rtreeSchema).participant_rtree;
                    CREATE VIRTUAL TABLE \(rtreeSchema).participant_rtree USING rtree(id, min_x, max_x, min_y, max_y);
                    INSERT INTO \(rtreeSchema).participant_rtree (id, min_x, max_x, min_y, max_y)
                        SELECT id, rd_x, rd_x, rd_y, rd_y FROM main.participant;
                    """)
            return .commit
        }
        return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(rtreeSchema).participant_rtree") ?? 0
    }

    // MARK: - Queries

    /// Every participant in the closed disc, outside-in, found through the R*Tree.
    ///
    /// One SQL statement: the R*Tree gives the participants whose box meets the circle's bounding
    /// box (widened by a couple of metres for the 32-bit floats the tree stores), the `participant`
    /// row gives the exact doubles, `dx*dx + dy*dy <= r*r` decides membership (the engine's test,
    /// so a point on the circle is inside), and `ORDER BY distance DESC, id ASC` gives the
    /// outside-in order with `distance = sqrt(dx*dx + dy*dy)` from `incident`. SQLite's double
    /// arithmetic is IEEE like Swift's, so membership and distances equal the engine's bit for bit.
    /// Builds the R*Tree first (``buildRTreeIndex()``) when there is none.
    ///
    /// - Parameters:
    ///   - circleCenter: The circle's centre in RD New.
    ///   - radiusMeters: The radius in metres.
    ///   - incident: The point distances are measured from (usually `circleCenter`).
    /// - Returns: The participants, farthest first, equal distances by id ascending.
    /// - Throws: ``RegistryError`` `.database` (also when the linked SQLite lacks `sqrt`, which
    ///   needs `SQLITE_ENABLE_MATH_FUNCTIONS`).
    /// - Complexity: O(log n + k log k) for k candidates in the bounding box.
    /// - Important: Runs on the registry's writer connection (the R*Tree is attached there), so
    ///   these queries are serialised with each other and with imports of this process.
    public func selectWithRTree(circleCenter: RDPoint, radiusMeters: Double, incident: RDPoint) throws -> [RTreeMatch] {
        let slack = radiusMeters + Self.rtreeSlackMeters
        let box = Envelope(
            minX: circleCenter.x - slack, minY: circleCenter.y - slack, maxX: circleCenter.x + slack,
            maxY: circleCenter.y + slack)
        let exact = "AND (p.rd_x - :cx) * (p.rd_x - :cx) + (p.rd_y - :cy) * (p.rd_y - :cy) <= :r2"
        let arguments: StatementArguments = [
            "cx": circleCenter.x, "cy": circleCenter.y, "r2": radiusMeters * radiusMeters,
        ]
        return try rtreeQuery(box: box, incident: incident, exactTest: exact, arguments: arguments)
    }

    /// Every participant whose position lies in `envelope` (boundary included), outside-in, found
    /// through the R*Tree: the candidates of a polygon search, for an exact test elsewhere.
    ///
    /// The same statement as ``selectWithRTree(circleCenter:radiusMeters:incident:)`` with the
    /// exact test `rd_x BETWEEN minX AND maxX AND rd_y BETWEEN minY AND maxY` on the stored
    /// doubles. SQLite knows no polygons; the caller keeps the matches its polygon covers, which
    /// keeps the order.
    ///
    /// - Parameters:
    ///   - envelope: The box in RD New.
    ///   - incident: The point distances are measured from.
    /// - Returns: The participants in the box, farthest first, equal distances by id ascending.
    /// - Throws: ``RegistryError`` `.database`.
    /// - Complexity: O(log n + k log k) for k participants in the box.
    public func selectWithRTree(envelope: Envelope, incident: RDPoint) throws -> [RTreeMatch] {
        let s = Self.rtreeSlackMeters
        let box = Envelope(
            minX: envelope.minX - s, minY: envelope.minY - s, maxX: envelope.maxX + s, maxY: envelope.maxY + s)
        let exact = "AND p.rd_x BETWEEN :minx AND :maxx AND p.rd_y BETWEEN :miny AND :maxy"
        let arguments: StatementArguments = [
            "minx": envelope.minX, "maxx": envelope.maxX, "miny": envelope.minY, "maxy": envelope.maxY,
        ]
        return try rtreeQuery(box: box, incident: incident, exactTest: exact, arguments: arguments)
    }

    /// Runs the R*Tree search for `box`, joined to `participant`, filtered by `exactTest`, sorted
    /// outside-in from `incident`.
    private func rtreeQuery(
        box: Envelope, incident: RDPoint, exactTest: String, arguments: StatementArguments
    ) throws -> [RTreeMatch] {
        // CROSS JOIN keeps the R*Tree as the outer loop (SQLite's planner picks it anyway); the
        // participant row is then a rowid lookup.
        let sql = """
            SELECT p.id, p.rd_x, p.rd_y, p.country,
                   sqrt((p.rd_x - :ix) * (p.rd_x - :ix) + (p.rd_y - :iy) * (p.rd_y - :iy)) AS distance
            FROM \(Self.rtreeSchema).participant_rtree AS r CROSS JOIN main.participant AS p ON p.id = r.id
            WHERE r.max_x >= :bminx AND r.min_x <= :bmaxx AND r.max_y >= :bminy AND r.min_y <= :bmaxy
              \(exactTest)
            ORDER BY distance DESC, p.id ASC
            """
        var all = arguments
        all += [
            "ix": incident.x, "iy": incident.y, "bminx": box.minX, "bmaxx": box.maxX, "bminy": box.minY,
            "bmaxy": box.maxY,
        ]
        do {
            return try pool.writeWithoutTransaction { db in
                if try !Self.hasRTree(db) { _ = try Self.buildRTree(db) }
                var result: [RTreeMatch] = []
                let rows = try Row.fetchCursor(db, sql: sql, arguments: all)
                while let row = try rows.next() {
                    result.append(
                        RTreeMatch(
                            id: row[0], rd: RDPoint(x: row[1], y: row[2]), distanceMeters: row[4],
                            country: CountryCode.fromDatabaseValue(row[3])))
                }
                return result
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "an R*Tree query")
        }
    }
}
