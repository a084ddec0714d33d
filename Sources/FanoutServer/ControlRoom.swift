import FanOut
import FanoutAreaTools
import FanoutCore
import FanoutDesk
import FanoutEngine
import Foundation
import Geo
import Logging
import Participants
import Synchronization

/// The service's state once loaded: the selection engines over the live index, the dispatcher
/// resumed from the ledger, and what the commands need besides.
struct LoadedRoom: Sendable {
    let selection: SelectionService
    let dispatcher: Dispatcher
    let ledger: Ledger
    let registry: Registry
    let config: DispatchConfig
    /// What the ledger records as the providers of a new action (``DeskProviders/recorded``).
    let providers: String
    /// Stops the desk's run (graceful shutdown).
    let interruption: DeskInterruption
}

/// One control room: what every route works on. Not ready (503) until ``attach(_:)``.
final class ControlRoom: Sendable {
    let tokens: TokenBook
    let limits: ServeConfiguration.Limits
    let travel: TravelRadiusTable?
    /// The participants' planning facts in memory (selections plan from them).
    let planCache: PlanCache
    private let loaded = Mutex<LoadedRoom?>(nil)
    /// When the service began (for `/healthz`).
    let startedAt = Date()

    init(tokens: TokenBook, limits: ServeConfiguration.Limits, travel: TravelRadiusTable?, logger: Logger, metrics: ServeMetrics) {
        planCache = PlanCache(logger: logger, metrics: metrics)
        self.tokens = tokens
        self.limits = limits
        self.travel = travel
    }

    private let stopping = Atomic<Bool>(false)

    /// Asks the dispatcher to stop (graceful shutdown); a room not yet loaded stops once loaded.
    func requestStop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        loaded.withLock { $0 }?.interruption.request()
    }

    /// Whether ``requestStop()`` was called.
    var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    /// Makes the room ready.
    func attach(_ room: LoadedRoom) { loaded.withLock { $0 = room } }

    /// Takes the room out of service (shutdown): requests get 503 from now on.
    func detach() -> LoadedRoom? { loaded.withLock { r in defer { r = nil }; return r } }

    /// Whether the index is loaded and the ledger resumed.
    var isReady: Bool { loaded.withLock { $0 != nil } }

    /// The loaded room, or 503.
    func room() throws -> LoadedRoom {
        guard let r = loaded.withLock({ $0 }) else {
            throw ServeError(
                .notReady, "the service is starting (loading the index, resuming the ledger) or stopping; try again",
                retryAfterSeconds: 2)
        }
        return r
    }

    // MARK: - Selections

    /// Selects an area and plans an action on it, without personal data.
    func select(_ area: AreaInput, request: ActionRequest) async throws -> SelectionAnswer {
        let room = try room()
        let selection = try await selecting(area, on: room)
        var request = request
        if let type = area.incidentType { request.incidentType = type }
        let plan: ActionDesk.Plan
        if let generation = selection.registryGeneration,
            let recipients = planCache.recipients(for: selection.participants, generation: generation, registry: room.registry)
        {
            request.incidentPoint = selection.incident
            plan = ActionDesk.plan(request, recipients: recipients, config: room.config)
        } else {
            plan = try ActionDesk.plan(request, selection: selection, registry: room.registry, config: room.config)
        }
        return SelectionAnswer(selection: selection, plan: plan, warnings: warnings(selection, plan: plan, area: area))
    }

    /// Selects an area; an error about the area names its field (`polygon`, `circle`, `cap`).
    func selecting(_ area: AreaInput, on room: LoadedRoom) async throws -> SelectionResult {
        do { return try await room.selection.select(area.selectionRequest) } catch let error as any FanoutError {
            throw InputFieldError(error: error, field: area.field)
        }
    }

    /// What a dispatcher should look at before starting.
    func warnings(_ s: SelectionResult, plan: ActionDesk.Plan, area: AreaInput) -> [Warning] {
        var list: [Warning] = []
        if s.participants.isEmpty {
            list.append(Warning(code: "empty", message: "nobody registered is inside the area"))
        }
        if let type = area.incidentType, let travel, let r = try? travel.largestRadiusMeters(for: type) {
            let usual = Double.pi * r * r * AreaInspector.largeAreaFactor
            if s.areaSquareMeters > usual {
                list.append(
                    Warning(
                        code: "larger_than_usual",
                        message: String(
                            format: "the area is %.1f km², more than %.0f times a circle of the largest radius for %@ (%.0f m)",
                            s.areaSquareMeters / 1e6, AreaInspector.largeAreaFactor, type, r)))
            }
        }
        let abroad = s.countsByCountry.filter { $0.country != "NL" }
        if !abroad.isEmpty {
            let text = abroad.map { "\($0.count) in \($0.country)" }.joined(separator: ", ")
            list.append(Warning(code: "crosses_border", message: "the area reaches past the Dutch border: \(text)"))
        }
        if plan.needsConfirmation, let threshold = plan.threshold {
            list.append(
                Warning(
                    code: "needs_confirmation",
                    message: "\(plan.recipients.count) persons is more than the threshold of \(threshold) for "
                        + "\(plan.request.incidentType): starting needs \"confirm\": true"))
        }
        return list
    }

    // MARK: - Actions

    /// Starts an action (region checked by the caller); the ledger records `origin` with it.
    func start(
        _ input: ActionInput, origin: CommandOrigin, incidentCheck: (LonLat) throws -> Void
    ) async throws -> (ActionID, SelectionAnswer) {
        let room = try room()
        let selection = try await selecting(input.area, on: room)
        try incidentCheck(selection.incidentLonLat)
        let plan = try ActionDesk.plan(input.request, selection: selection, registry: room.registry, config: room.config)
        let answer = SelectionAnswer(selection: selection, plan: plan, warnings: warnings(selection, plan: plan, area: input.area))
        if plan.needsConfirmation {
            throw ConfirmationNeeded(answer: answer)
        }
        let id = try await ActionDesk.start(
            plan, dispatcher: room.dispatcher, ledger: room.ledger, providers: room.providers, origin: origin)
        return (id, answer)
    }

    /// Enlarges a running action with a new area; the ledger records `origin` with it.
    func enlarge(
        _ id: ActionID, area: AreaInput, confirmed: Bool, origin: CommandOrigin
    ) async throws -> (Int, ActionDesk.EnlargementPlan) {
        let room = try room()
        let selection = try await selecting(area, on: room)
        let plan = try ActionDesk.planEnlargement(
            id, selection: selection, registry: room.registry, confirmed: confirmed, ledger: room.ledger, config: room.config)
        if plan.needsConfirmation { throw EnlargementConfirmationNeeded(plan: plan) }
        return (try await ActionDesk.enlarge(plan, dispatcher: room.dispatcher, origin: origin), plan)
    }

    /// The incident point of an action in WGS84 (for the region check of a command on it).
    func incident(of id: ActionID) throws -> RDPoint? {
        try room().ledger.summary(of: id).request.incidentPoint
    }
}

/// A warning about an area, for the dispatcher.
struct Warning: Sendable, Encodable, Hashable {
    /// A stable code: `empty`, `larger_than_usual`, `crosses_border`, `needs_confirmation`.
    var code: String
    /// What to look at, for a person.
    var message: String
}

/// The answer to a selection: counts per country, the plan, warnings; no personal data.
struct SelectionAnswer: Sendable, Encodable {
    var selection: SelectionResult
    var plan: ActionDesk.Plan
    var warnings: [Warning]

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(selection.participants.count, forKey: "participants")
        var countries = c.nestedContainer(keyedBy: JSONKey.self, forKey: "by_country")
        for (country, n) in selection.countsByCountry { try countries.encode(n, forKey: JSONKey(country)) }
        try c.encode(selection.areaSquareMeters, forKey: "area_m2")
        var incident = c.nestedContainer(keyedBy: JSONKey.self, forKey: "incident")
        try incident.encode(selection.incidentLonLat.lon, forKey: "lon")
        try incident.encode(selection.incidentLonLat.lat, forKey: "lat")
        try c.encode(selection.incidentSource.rawValue.replacingOccurrences(of: " ", with: "_"), forKey: "incident_source")
        try c.encode(selection.registryGeneration, forKey: "registry_generation")
        try c.encode(selection.seconds, forKey: "seconds")
        try c.encode(plan, forKey: "plan")
        try c.encode(warnings, forKey: "warnings")
    }
}

/// An action over its incident type's threshold without `"confirm": true` (409; nothing started).
struct ConfirmationNeeded: Error, Sendable {
    var answer: SelectionAnswer
}

/// An enlargement over the threshold without `"confirm": true` (409; nothing added).
struct EnlargementConfirmationNeeded: Error, Sendable {
    var plan: ActionDesk.EnlargementPlan
}
