import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import Selection
import Synthetic

extension Demo {
    /// The demo's action: alerts in a circle, an enlargement while it runs, then the end message.
    public struct ActionScenario: Sendable {
        /// What it is, for the report.
        public var name: String
        /// Incident point and centre of both circles.
        public var centre: LonLat
        /// First radius in metres.
        public var radiusMeters: Double
        /// Radius after the enlargement.
        public var enlargedRadiusMeters: Double
        /// When (dispatcher time after the start) the area is enlarged.
        public var enlargeAt: Duration
        /// The request (the incident point is the selection's: the circles' centre).
        public var request: ActionRequest
        /// The end message.
        public var result: String
    }

    /// A missing child near Amsterdam Dam square: 1 km by voice, enlarged to 2 km after two
    /// minutes, ended when every alert is done.
    public static let actionScenario = ActionScenario(
        name: "missing child (8) near Amsterdam Dam square: 1 km, enlarged to 2 km after 2 minutes",
        centre: LonLat(lon: 4.8930, lat: 52.3731), radiusMeters: 1_000, enlargedRadiusMeters: 2_000,
        enlargeAt: .seconds(120),
        request: ActionRequest(
            incidentType: "missing-child", urgency: .critical,
            message: "Burgernet: missing boy (8), red coat, last seen at Dam square. Call 112 if you see him.",
            channels: [.voice, .sms], confirmed: true),
        result: "Burgernet: the boy has been found safe. Thank you for looking.")

    /// What the demo action did.
    public struct ActionReport: Sendable {
        /// The plan at the start.
        public var plan: ActionDesk.Plan
        /// The action.
        public var id: ActionID
        /// Persons added by the enlargement.
        public var added: Int
        /// When the enlargement happened and when every alert was done (dispatcher time).
        public var enlargedAt: Duration
        /// When every alert had completed.
        public var alertsDoneAt: Duration
        /// End messages queued when it was ended.
        public var endMessages: Int
        /// When the last end message completed.
        public var finishedAt: Duration
        /// The final status.
        public var status: ActionStatus
        /// When each 500 m ring was reached, outermost first.
        public var rings: [RingReport]
        /// Wall-clock seconds for the whole action.
        public var wallSeconds: Double
        /// The ledger file (for `fanout action status`).
        public var ledgerPath: String
    }

    /// Runs the demo action on virtual time with the realistic simulated providers, its ledger in
    /// a fresh file at `ledgerPath` (replaced on every run).
    ///
    /// - Throws: ``OutputError`` `.refused` when something other than a file or symbolic link is
    ///   in the way of the ledger (it is never removed); ``DispatchError``, ``SelectionError``,
    ///   ``RegistryError``.
    public static func runAction(
        _ s: ActionScenario = actionScenario, engine: Engine, ledgerPath: String,
        progress: ((ActionDesk.Progress) -> Void)? = nil
    ) throws -> ActionReport {
        let wall = ContinuousClock.now
        let old = ["", "-wal", "-shm"].map { ledgerPath + $0 }
        for path in old {
            // removeItem would delete a directory with everything in it.
            guard let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
            else { continue }
            guard type == .typeRegular || type == .typeSymbolicLink else {
                throw OutputError(
                    .refused, "\(path) is not a file; the demo replaces its ledger there on every run, move it away")
            }
        }
        for path in old { try? FileManager.default.removeItem(atPath: path) }
        let desk = try ActionDesk(
            db: ledgerPath, config: DispatchConfig(), providers: DeskProviders(simulation: .realistic(seed: 2016)),
            clock: .virtual)
        let first = try engine.select(SelectionRequest(area: .circle(center: s.centre, radiusMeters: s.radiusMeters)))
        guard let registry = engine.registry else {
            throw DispatchError(.invalidRequest, "the demo action needs the engine's registry for the preferences")
        }
        let plan = try ActionDesk.plan(s.request, selection: first, registry: registry, config: desk.config)
        let id = try desk.start(plan)
        try desk.run(until: s.enlargeAt, progress: progress)
        let larger = try engine.select(
            SelectionRequest(area: .circle(center: s.centre, radiusMeters: s.enlargedRadiusMeters)))
        let added = try desk.enlarge(
            try desk.planEnlargement(id, selection: larger, registry: registry, confirmed: s.request.confirmed))
        try desk.runUntilIdle(progress: progress)
        let alertsDone = desk.dispatcher.clock.now
        let ends = try desk.end(id, result: s.result)
        try desk.runUntilIdle(progress: progress)
        return ActionReport(
            plan: plan, id: id, added: added, enlargedAt: s.enlargeAt, alertsDoneAt: alertsDone, endMessages: ends,
            finishedAt: desk.dispatcher.clock.now, status: try desk.dispatcher.status(id),
            rings: try desk.dispatcher.ringReport(id), wallSeconds: (ContinuousClock.now - wall).seconds,
            ledgerPath: ledgerPath)
    }
}
