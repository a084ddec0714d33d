import FanOut
import Foundation
import Geo
import GeoFormats
import ProviderAdapters
import Participants
import Selection

/// The fan-out engine: a participant registry with an in-memory spatial index, answering
/// "who is inside this action area, outside-in?".
///
/// Open it on a registry file (``open(registryAt:readOnly:data:rdGrid:)``) or on columns you
/// already hold (``init(columns:registry:data:rdGrid:)``), then call ``select(_:)``.
///
/// The engine reads its data files (the RDNAPTRANS2018 grid above all) from the ``DataDirectory``
/// it is given, by default the package's own bundled files, and states in ``transformation`` how it
/// computes RD New, so that a service can log it or refuse to run without the grid.
///
/// ```swift
/// let engine = try Engine.open(registryAt: "participants.sqlite")
/// let result = try engine.select(SelectionRequest(
///     area: .circle(center: LonLat(lon: 4.8930, lat: 52.3731), radiusMeters: 2_000)))
/// for p in result.participants.prefix(10) { print(p.id, p.distanceMeters) }
/// ```
///
/// - Important: One caller at a time, on any thread. The engine owns a GEOS and a PROJ context,
///   which are safe on any thread but not for simultaneous use: an engine may be made on one
///   thread and used on another, kept in an actor or handed to a task, as long as its calls do not
///   overlap. A second caller while one is inside stops the process with a message naming
///   `Engine` (a programming error, checked in every build). For selections from many tasks at
///   once, use a ``SelectionService`` (a few engines on threads of their own), or one engine per
///   thread over a shared ``live`` index.
///
/// ## Topics
/// - ``select(_:)``
/// - ``readArea(contentsOf:crs:layer:features:)``
/// - ``SelectionService``
// `@unchecked Sendable`: the mutable state (the STRtree cache, the C contexts of `context` and
// `converter`) is reached only inside `exclusively`, which enters `use` (one caller at a time,
// checked in every build) and the contexts' own checks; `indexSource` is set before `open`
// returns the engine and never after; everything else is immutable or `Sendable`.
public final class Engine: @unchecked Sendable {
    /// The registry the index was loaded from, if any.
    public let registry: Registry?
    /// The live spatial index: a packed grid plus the changes since it was built; shareable
    /// between threads (give it to ``init(live:registry:)`` of another thread's engine).
    public let live: LiveIndex
    /// Where the engine's data files are (the RD grid, the reference areas).
    public let data: DataDirectory
    /// Whether the engine was opened requiring the RD grid (see ``transformation`` for the outcome).
    public let rdGrid: RDGridRequirement
    package let context: GEOSContext
    package let converter: CoordinateConverter
    private var strtree: (version: Int, columns: ParticipantColumns, tree: STRtreeIndex)?
    /// The one-caller-at-a-time check, entered around every public operation.
    package let use = ExclusiveUse("Engine")

    /// Builds an engine over `columns`.
    ///
    /// - Parameters: See ``init(live:registry:data:rdGrid:)``.
    /// - Throws: ``GeoError`` when GEOS or PROJ cannot start, `.correctionGrid` when a required
    ///   grid is missing or a grid is damaged.
    public convenience init(
        columns: ParticipantColumns, registry: Registry? = nil, data: DataDirectory? = nil,
        rdGrid: RDGridRequirement? = nil
    ) throws {
        try self.init(index: GridIndex(columns: columns), registry: registry, data: data, rdGrid: rdGrid)
    }

    /// Builds an engine over a packed index.
    ///
    /// - Parameters: See ``init(live:registry:data:rdGrid:)``.
    /// - Throws: ``GeoError`` when GEOS or PROJ cannot start, `.correctionGrid` when a required
    ///   grid is missing or a grid is damaged.
    public convenience init(
        index: GridIndex, registry: Registry? = nil, data: DataDirectory? = nil, rdGrid: RDGridRequirement? = nil
    ) throws {
        try self.init(live: LiveIndex(base: index), registry: registry, data: data, rdGrid: rdGrid)
    }

    /// Builds an engine over a live index that other engines (on other threads) share: each
    /// caller that selects at the same time needs its own engine (GEOS and PROJ contexts), all see
    /// the same participants and the same changes.
    ///
    /// - Parameters:
    ///   - live: The shared index.
    ///   - registry: The registry registrations go to, if any.
    ///   - data: Where the data files are; `nil` takes the registry's (``Registry/data``), else
    ///     the package's own files (``DataDirectory/bundled``).
    ///   - rdGrid: Whether the RD grid must be there; `nil` takes the registry's, else `.required`.
    /// - Throws: ``GeoError`` when GEOS or PROJ cannot start, `.correctionGrid` when a required
    ///   grid is missing or a grid is damaged (naming the file and the directory searched).
    public init(
        live: LiveIndex, registry: Registry? = nil, data: DataDirectory? = nil, rdGrid: RDGridRequirement? = nil
    ) throws {
        self.registry = registry
        self.live = live
        self.data = data ?? registry?.data ?? .bundled
        self.rdGrid = rdGrid ?? registry?.rdGrid ?? .required
        context = try GEOSContext()
        converter = try CoordinateConverter(data: self.data, rdGrid: self.rdGrid)
    }

    /// How this engine computes RD New: RDNAPTRANS2018 with the correction grid (and which file),
    /// or PROJ's datum transformation without it (errors up to 0.25 m), when the engine was opened
    /// with ``RDGridRequirement/optional`` and the data directory has no grid.
    public var transformation: RDAccuracy { converter.rdAccuracy }

    /// The packed base grid of the live index as it is now.
    public var index: GridIndex { live.snapshot().base }

    /// Where an engine's index came from when it was opened on a registry.
    public enum IndexSource: Sendable, Equatable {
        /// Loaded from the packed copy stored in the registry (current for its generation).
        case storedSnapshot
        /// Built from the participant rows; `stored` says whether the packed copy was saved for the
        /// next open (not when the file is read-only or changed meanwhile).
        case rebuilt(stored: Bool)
        /// Built from columns given by the caller.
        case columns
    }

    /// Where the index came from.
    public private(set) var indexSource: IndexSource = .columns

    /// Opens the registry at `path` and indexes every participant.
    ///
    /// The packed index stored in the registry is used when it is current (the registry's
    /// generation has not moved since it was stored); otherwise the index is built from the rows
    /// and stored for the next open.
    ///
    /// With `readOnly` nothing is written: the registry is not migrated (one of an older schema
    /// is refused) and a rebuilt index is not stored; selections work beside any writer, a long
    /// import included.
    ///
    /// The data files come from `data`, for the engine and for the registry's registrations alike
    /// (``Registry/data``). The RD grid is required unless `rdGrid` is `.optional`; see
    /// ``transformation`` for what the engine uses.
    ///
    /// - Parameters:
    ///   - path: The registry file.
    ///   - readOnly: Write nothing (see above).
    ///   - data: Where the data files are (default: the package's own files, ``DataDirectory/bundled``).
    ///   - rdGrid: Whether the RD grid must be in `data` (default) or may be missing.
    /// - Throws: ``RegistryError`` for an unusable database, ``GeoError`` for GEOS/PROJ failures and
    ///   `.correctionGrid` for a missing required grid or a damaged one (naming the file, the
    ///   directory searched and how to give it).
    public static func open(
        registryAt path: String, readOnly: Bool = false, data: DataDirectory = .bundled,
        rdGrid: RDGridRequirement = .required
    ) throws -> Engine {
        let registry = try Registry.open(at: path, readOnly: readOnly, data: data, rdGrid: rdGrid)
        let generation = try registry.generation()
        if let packed = try registry.loadIndexSnapshot(), let index = GridIndex(packed: packed) {
            let engine = try Engine(index: index, registry: registry)
            engine.indexSource = .storedSnapshot
            return engine
        }
        let index = GridIndex(columns: try registry.loadColumns())
        // A read-only registry cannot keep the copy: the engine works all the same.
        let stored = readOnly ? false : (try? registry.storeIndexSnapshot(index.packed, generation: generation)) ?? false
        let engine = try Engine(index: index, registry: registry)
        engine.indexSource = .rebuilt(stored: stored)
        return engine
    }

    /// The participants now (materialised from the live index: base rows not replaced, then the
    /// changed ones).
    public var columns: ParticipantColumns { live.snapshot().allColumns }

    /// Reads an area file (GeoJSON, WKT, CAP or GeoPackage).
    ///
    /// - Parameters:
    ///   - crs: The CRS for WKT (GeoJSON is lon/lat unless it names a CRS); `nil` is WGS84.
    ///   - layer: The layer of a GeoPackage (`nil`: its only polygon layer).
    ///   - features: Which features of a GeoPackage layer or GeoJSON FeatureCollection make the
    ///     area: the only one (the default; several are refused with a list), one by id, or the
    ///     union of all.
    /// - Throws: ``GeoError`` naming the file and what is wrong.
    public func readArea(
        contentsOf url: URL, crs: CRS? = nil, layer: String? = nil, features: FeatureChoice = .single
    ) throws -> AreaGeometry {
        try exclusively {
            try AreaReader.read(contentsOf: url, crs: crs, layer: layer, features: features, context: context)
        }
    }

    /// Runs `body` as the engine's one caller: enters ``use`` (stopping the process when another
    /// caller is inside) and the checks of the GEOS and PROJ contexts, so that their debug checks
    /// know who may call.
    @inline(__always)
    package func exclusively<T>(_ body: () throws -> T) throws -> T {
        use.enter()
        context.use.enter()
        converter.use.enter()
        defer {
            converter.use.leave()
            context.use.leave()
            use.leave()
        }
        return try body()
    }

    /// Selects every participant inside the request's area, outside-in.
    ///
    /// - Throws: ``SelectionError`` for a bad radius, point or polygon (with GEOS's reason and
    ///   location); ``GeoError`` for transformation failures.
    public func select(_ request: SelectionRequest) throws -> SelectionResult {
        try select(request, on: live.snapshot())
    }

    /// Selects like ``select(_:)``, calling `checkpoint` between the phases (area, search, distances,
    /// sort): a ``SelectionService``'s cancellation points (`checkpoint` throws to stop).
    package func select(_ request: SelectionRequest, checkpoint: () throws -> Void) throws -> SelectionResult {
        let snapshot = live.snapshot()
        return try exclusively { try select(request, using: snapshot, rows: snapshot.rows, checkpoint: checkpoint) }
    }

    /// Selects on a given state of the index (tests compare it with the brute force over the same state).
    package func select(_ request: SelectionRequest, on snapshot: IndexSnapshot) throws -> SelectionResult {
        try exclusively { try select(request, using: snapshot, rows: snapshot.rows) }
    }

    /// Selects like ``select(_:)``, handing over the first `size` participants (the farthest) as
    /// soon as they are known, before the rest is sorted, so that calling can start.
    ///
    /// - Parameters:
    ///   - size: How many participants the first batch holds (at most all of them).
    ///   - onFirstBatch: Called once, on this thread, with the first batch in outside-in order.
    /// - Returns: The whole selection, whose first `size` participants are the first batch.
    public func select(
        _ request: SelectionRequest, firstBatch size: Int, onFirstBatch: ([SelectedParticipant]) throws -> Void
    ) throws -> SelectionResult {
        let snapshot = live.snapshot()
        return try exclusively {
            try withoutActuallyEscaping(onFirstBatch) { deliver in
                try select(request, using: snapshot, rows: snapshot.rows, firstBatch: (size, deliver))
            }
        }
    }

    /// Selects with the brute-force scan instead of the index (the test oracle).
    public func selectByBruteForce(_ request: SelectionRequest) throws -> SelectionResult {
        let all = live.snapshot().allColumns
        return try exclusively {
            try select(request, using: BruteForceScan(columns: all), rows: RowSource(base: all, delta: .init()))
        }
    }

    /// Selects with a GEOS STRtree over the same participants (a comparison peer; the tree is
    /// built on first use).
    public func selectWithSTRtree(_ request: SelectionRequest) throws -> SelectionResult {
        try exclusively { try selectWithSTRtreeExclusively(request) }
    }

    private func selectWithSTRtreeExclusively(_ request: SelectionRequest) throws -> SelectionResult {
        let snapshot = live.snapshot()
        let cached: (version: Int, columns: ParticipantColumns, tree: STRtreeIndex)
        if let current = strtree, current.version == snapshot.version {
            cached = current
        } else {
            let all = snapshot.allColumns
            cached = (snapshot.version, all, try STRtreeIndex(columns: all))
            strtree = cached
        }
        return try select(request, using: cached.tree, rows: RowSource(base: cached.columns, delta: .init()))
    }

    private func select(
        _ request: SelectionRequest, using selector: some ParticipantSelector, rows: RowSource,
        firstBatch: (size: Int, deliver: ([SelectedParticipant]) throws -> Void)? = nil,
        checkpoint: () throws -> Void = {}
    ) throws -> SelectionResult {
        let clock = ContinuousClock()
        let start = clock.now
        let shape: SelectionShape
        var incident: RDPoint
        var incidentLonLat: LonLat?
        var source: IncidentSource
        let area: Double
        var geodesicRadius: Double?
        switch request.area {
        case .circle(let center, let radius):
            let c = try CircleArea(center: try rd(center, what: "circle centre"), radiusMeters: radius)
            (incident, incidentLonLat, source, area) = (c.center, center, .circleCenter, Double.pi * radius * radius)
            if request.distance == .geodesic {
                // Candidates from a slightly larger RD circle: RD New's scale error stays far
                // below 1% in the service region; the geodesic test below decides.
                shape = .circle(CircleArea(unchecked: c.center, radiusMeters: radius * 1.01 + 10))
                geodesicRadius = radius
            } else {
                shape = .circle(c)
            }
        case .polygon(let geometry):
            let p = try PolygonArea(geometry, converter: converter, context: context)
            shape = .polygon(p)
            (incident, source, area) = (try p.centroid(), .centroid, p.areaSquareMeters)
        }
        if let given = request.incident {
            incident = try rd(given, what: "incident point")
            (incidentLonLat, source) = (given, .given)
        }
        try checkpoint()
        var participants = try selector.collect(shape, incident: incident)
        try checkpoint()
        if let countries = request.countries {
            participants.removeAll { p in p.country.map { !countries.contains($0) } ?? true }
        }
        if request.distance == .geodesic {
            let from = try incidentLonLat ?? converter.toLonLat([incident])[0]
            incidentLonLat = from
            let positions = try converter.toLonLat(participants.map { rows.rdPoint(row: $0.row) })
            for i in participants.indices {
                participants[i].distanceMeters = Geodesic.wgs84.distance(from: from, to: positions[i])
            }
            if let r = geodesicRadius { participants.removeAll { $0.distanceMeters > r } }
            try checkpoint()
        }
        if let firstBatch {
            let k = OutsideIn.partialSort(&participants, first: firstBatch.size)
            try firstBatch.deliver(Array(participants[0..<k]))
            var rest = Array(participants[k...])
            OutsideIn.sort(&rest)
            participants.replaceSubrange(k..., with: rest)
        } else {
            OutsideIn.sort(&participants)
        }
        return SelectionResult(
            participants: participants, incident: incident,
            incidentLonLat: try incidentLonLat ?? converter.toLonLat([incident])[0], incidentSource: source,
            areaSquareMeters: area,
            distance: request.distance, seconds: (clock.now - start).seconds, rows: rows, area: request.area,
            registryGeneration: try registry?.generation())
    }

    package func rd(_ p: LonLat, what: String) throws -> RDPoint {
        if let problem = ServiceRegion.problem(with: p) {
            throw SelectionError(.invalidPoint, "\(what) \(p.lon),\(p.lat): \(problem)")
        }
        return try converter.toRD(p)
    }

    /// Registers or updates participants: written to the registry in one transaction, then
    /// visible to every selection that starts afterwards (on any engine sharing ``live``).
    ///
    /// - Throws: ``RegistryError`` for bad records (nothing is written) or SQLite failures;
    ///   ``SelectionError`` `.noRegistry` when the engine has no registry.
    public func register(_ records: [ParticipantRecord]) throws {
        try register(records, alongside: nil)
    }

    /// Registers or updates participants as ``register(_:)`` does, with `alongside` written in
    /// the registry's transaction (a command's audit record).
    package func register(_ records: [ParticipantRecord], alongside: AlongsideWrite?) throws {
        guard let registry else { throw SelectionError(.noRegistry, "register: this engine has no registry") }
        try exclusively { live.apply(try registry.upsert(records, alongside: alongside)) }
    }

    /// Removes participants from the registry and from the index.
    ///
    /// - Throws: ``RegistryError`` for SQLite failures; ``SelectionError`` `.noRegistry` without a registry.
    public func remove(ids: [Int64]) throws {
        try remove(ids: ids, alongside: nil)
    }

    /// Removes participants as ``remove(ids:)`` does, with `alongside` written in the registry's
    /// transaction (a command's audit record).
    package func remove(ids: [Int64], alongside: AlongsideWrite?) throws {
        guard let registry else { throw SelectionError(.noRegistry, "remove: this engine has no registry") }
        try exclusively { live.apply(try registry.remove(ids: ids, alongside: alongside)) }
    }

    /// The WGS84 positions of a selection's participants, from their RD New positions (through
    /// the RDNAPTRANS2018 grid: within a millimetre of the registered lon/lat).
    ///
    /// - Throws: ``GeoError`` when PROJ fails.
    public func lonLats(of result: SelectionResult) throws -> [LonLat] {
        try exclusively { try converter.toLonLat(result.participants.map { result.rdPoint(of: $0) }) }
    }
}
