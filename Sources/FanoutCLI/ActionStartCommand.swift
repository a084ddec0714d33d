import ArgumentParser
import FanOut
import FanoutAreaTools
import FanoutCore
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection
import Synthetic

/// The action area on the command line: a circle around a WGS84 or RD New centre, or a polygon.
struct ActionAreaOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Circle centre longitude (WGS84).", valueName: "LON"))
    var lon: Double?
    @Option(help: ArgumentHelp("Circle centre latitude (WGS84).", valueName: "LAT"))
    var lat: Double?
    @Option(
        name: .customLong("rd-x"),
        help: ArgumentHelp("Circle centre x in RD New metres (instead of --lon/--lat).", valueName: "X"))
    var rdX: Double?
    @Option(name: .customLong("rd-y"), help: ArgumentHelp("Circle centre y in RD New metres.", valueName: "Y"))
    var rdY: Double?
    @Option(help: ArgumentHelp("Circle radius in metres.", valueName: "METRES"))
    var radius: Double?
    @Option(
        help: ArgumentHelp("Polygon file (GeoJSON, WKT, CAP or GeoPackage) instead of a circle.", valueName: "FILE"))
    var polygon: String?
    @OptionGroup(title: "Reading the --polygon file")
    var reading: AreaReadOptions
    @Option(help: ArgumentHelp("Incident point (default: circle centre or polygon centroid).", valueName: "LON,LAT"))
    var incident: LonLatArgument?

    func validate() throws {
        let wgs = lon != nil || lat != nil
        let rd = rdX != nil || rdY != nil
        if let polygon {
            if wgs || rd || radius != nil {
                throw ValidationError(
                    "give either --polygon \(polygon) or a circle (--lon/--lat or --rd-x/--rd-y with --radius), not both"
                )
            }
            return
        }
        if let option = reading.given.first { throw ValidationError("\(option) applies to --polygon only") }
        guard wgs != rd else {
            throw ValidationError(
                "give the circle centre as --lon and --lat, or as --rd-x and --rd-y (or a --polygon FILE)")
        }
        if wgs && (lon == nil || lat == nil) { throw ValidationError("--lon and --lat go together") }
        if rd && (rdX == nil || rdY == nil) { throw ValidationError("--rd-x and --rd-y go together") }
        guard let radius else { throw ValidationError("a circle needs --radius METRES") }
        guard radius > 0 && radius <= 500_000 else {
            throw ValidationError("--radius must be greater than 0 and at most 500000 metres, got \(radius)")
        }
    }

    /// Selects the area's participants, outside-in (the `--polygon` file is read once, with
    /// `--layer`, `--feature` or `--all-features`). The action's audit records the selection's area
    /// (``SelectionResult/areaRecord``).
    ///
    /// - Returns: The selection, and whether reading the file warned (see ``warnAboutReading(_:)``):
    ///   the command then ends with exit status 1.
    func select(with engine: Engine) throws -> (selection: SelectionResult, warned: Bool) {
        let area: SelectionRequest.Area
        var warned = false
        if let polygon {
            let geometry = try engine.readArea(
                contentsOf: URL(fileURLWithPath: polygon), crs: reading.crs, layer: reading.layer,
                features: reading.features)
            warned = warnAboutReading(geometry)
            area = .polygon(geometry)
        } else if let lon, let lat, let radius {
            area = .circle(center: LonLat(lon: lon, lat: lat), radiusMeters: radius)
        } else if let rdX, let rdY, let radius {
            let centre = try CoordinateConverter(data: commandData).toLonLat([RDPoint(x: rdX, y: rdY)])
            guard let c = centre.first else {
                throw CommandFailure(.refused, "--rd-x/--rd-y: cannot transform \(rdX),\(rdY)")
            }
            area = .circle(center: c, radiusMeters: radius)
        } else {
            throw ValidationError("no action area given")
        }
        return (try engine.select(SelectionRequest(area: area, incident: incident?.value)), warned)
    }
}

/// The registry an engine opened on a registry file reads (`Engine.open(registryAt:)` always has one).
func registry(of engine: Engine, at path: String) throws -> Registry {
    guard let registry = engine.registry else {
        throw CommandFailure(.refused, "\(path): no participant registry is open")
    }
    return registry
}

/// `low`, `normal`, `high` or `critical` on the command line.
struct UrgencyArgument: ExpressibleByArgument {
    var value: Urgency
    static let names: [String: Urgency] = ["low": .low, "normal": .normal, "high": .high, "critical": .critical]
    init?(argument: String) {
        guard let u = Self.names[argument.lowercased()] else { return nil }
        value = u
    }
    static var allValueStrings: [String] { ["low", "normal", "high", "critical"] }
}

/// `voice,sms,email,app` on the command line (in order of preference).
struct ChannelListArgument: ExpressibleByArgument {
    var channels: [Channel]
    init?(argument: String) {
        let words = argument.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let parsed = words.compactMap { Channel(rawValue: $0) }
        guard !words.isEmpty, parsed.count == words.count, Set(parsed).count == parsed.count else { return nil }
        channels = parsed
    }
    static var defaultValueDescription: String { "voice,sms,email,app" }
}

struct ActionStartCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start an action: select the area's participants and alert them outside-in.",
        discussion: """
            Prints the plan first: participants per channel and when the last one is reached at the configured \
            limits ("last recipient at T+…"). An action with more participants than its incident type's confirmation \
            threshold (--config) is refused (exit 2) unless --confirm is given; nothing is sent then. Prints the new \
            action's id.
            """)

    @OptionGroup var desk: DeskOptions
    @OptionGroup var area: ActionAreaOptions

    @Option(
        help: ArgumentHelp(
            "Incident type, for example missing-child or burglary (keys the confirmation thresholds).",
            valueName: "TYPE"))
    var incidentType: String

    @Option(help: "Urgency (default: high).")
    var urgency: UrgencyArgument?

    @Option(help: ArgumentHelp("The alert text.", valueName: "TEXT"))
    var message: String

    @Option(
        help: ArgumentHelp(
            "Channels in order of preference (default: sms when urgent, email otherwise).", valueName: "CHANNEL,..."))
    var channels: ChannelListArgument?

    @Option(help: ArgumentHelp("Photo of the person or vehicle sought.", valueName: "URL"))
    var photoURL: String?

    @Flag(help: "Confirm an action larger than the incident type's threshold.")
    var confirm = false

    @Flag(name: .customLong("run"), help: "Keep processing until nothing is queued or in flight.")
    var keepRunning = false

    @Flag(help: JSONOutput.flagHelp("Also when the confirmation threshold refuses the action (action null)."))
    var json = false
    @OptionGroup(title: "Logging") var logging: LogOptions

    func validate() throws {
        if incidentType.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--incident-type must not be empty")
        }
        if message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("--message must not be empty")
        }
        try desk.checkProviderRecord(polygon: area.polygon)
        // The same limits the dispatcher checks, named by option and before the area is selected.
        let channels = channels?.channels ?? ActionRequest.defaultChannels(urgency?.value ?? .high)
        do {
            try MessageLimits.check(message, named: "--message", channels: channels)
            if let photoURL { try MessageLimits.checkPhotoURL(photoURL, named: "--photo-url") }
        } catch let error as DispatchError {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        let setup = try desk.setup()
        let config = setup.config
        try requireRegistry(desk.db, create: "create one with 'fanout import' or 'fanout demo'")
        let engine = try Engine.open(registryAt: desk.db, data: commandData)
        let (selection, warned) = try area.select(with: engine)
        note(Summary.line(selection))
        let request = ActionRequest(
            incidentType: incidentType, urgency: urgency?.value ?? .high, message: message, photoURL: photoURL,
            channels: channels?.channels, confirmed: confirm)
        let plan = try ActionDesk.plan(
            request, selection: selection, registry: try registry(of: engine, at: desk.db), config: config)
        if json {
            if plan.needsConfirmation { try document(plan, nil, queued: nil, desk: nil, run: nil) }
        } else {
            print(ActionText.plan(plan))
        }
        if plan.needsConfirmation {
            throw DispatchError(
                .confirmationRequired,
                "\(grouped(plan.recipients.count)) participants is more than the \(grouped(plan.threshold ?? 0)) "
                    + "usual for a '\(incidentType)' action; check the area and repeat with --confirm to send")
        }
        let command = DeskCommand.start(request, ActionSelection(selection))
        try desk.perform(command, setup) { answer, d in
            let id = answer.action
            if json {
                let run = try d.flatMap { keepRunning ? try runDesk($0, json: true) : nil }
                return try document(plan, id, queued: answer.count, desk: d, run: run)
            }
            guard let d else {
                print("action \(id) started: \(grouped(answer.count)) participants queued")
                return print(try desk.ledgerStatus(id))
            }
            print(ActionText.started(try d.dispatcher.status(id)))
            if keepRunning { try runDesk(d) } else { print(ActionText.handedOverNote(d)) }
            print(ActionText.status(try d.dispatcher.status(id)))
        }
        if warned { throw CommandFailure(.warnings) }
    }
}

extension ActionStartCommand {
    /// Prints the `action-start` document: the plan, and the action when one was started
    /// (`action` null when the confirmation threshold refused it).
    func document(_ plan: ActionDesk.Plan, _ id: ActionID?, queued: Int?, desk d: ActionDesk?, run: DeskRun?) throws {
        try JSONOutput.print(
            .actionStart, JSONOutput.Fields(),
            adding: [
                "plan": plan, "action": id?.rawValue, "queued": queued,
                "applied_by": id == nil ? nil : appliedBy(d), "run": run,
                "status": try id.flatMap { id in try d.map { try $0.dispatcher.status(id) } },
            ])
    }
}

struct ActionEnlargeCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "enlarge",
        abstract: "Enlarge a running action with a new area: only participants not yet included are added.",
        discussion: """
            The new area's participants are added outside-in after those still queued; anyone already included is \
            skipped. An action that is stopped or ended cannot be enlarged. Prints the enlargement's plan first. The \
            confirmation threshold applies as at the start, to the action's persons after the enlargement: above it \
            the enlargement is refused unless --confirm is given (an earlier --confirm does not carry over). A new \
            area that lists fewer persons than the current one, or none of those already included, draws a warning \
            (it may be the wrong area: an enlargement never takes anyone out) and exit status 1.
            """)

    @OptionGroup var desk: DeskOptions
    @Argument(help: "The action id.")
    var action: ActionIDArgument
    @OptionGroup var area: ActionAreaOptions

    @Flag(help: "Confirm an enlargement that leaves the action larger than the incident type's threshold.")
    var confirm = false

    @Flag(name: .customLong("run"), help: "Keep processing until nothing is queued or in flight.")
    var keepRunning = false

    @Flag(help: JSONOutput.flagHelp("Also when the confirmation threshold refuses the enlargement (added null)."))
    var json = false
    @OptionGroup(title: "Logging") var logging: LogOptions

    func validate() throws { try desk.checkProviderRecord(polygon: area.polygon) }

    /// Prints the `action-enlarge` document (`added` null when the enlargement was refused).
    func document(_ plan: ActionDesk.EnlargementPlan, added: Int?, desk d: ActionDesk?, run: DeskRun?) throws {
        try JSONOutput.print(
            .actionEnlarge, JSONOutput.Fields(),
            adding: [
                "plan": plan, "added": added, "applied_by": added == nil ? nil : appliedBy(d), "run": run,
                "status": try d.map { try $0.dispatcher.status(plan.action) },
            ])
    }

    func run() throws {
        let setup = try desk.setup()
        try requireRegistry(desk.db)
        let engine = try Engine.open(registryAt: desk.db, data: commandData)
        let (selection, warned) = try area.select(with: engine)
        note(Summary.line(selection))
        // Planned from the ledger, read here: the threshold on the action's total, and warnings.
        let plan = try ActionDesk.planEnlargement(
            action.id, selection: selection, registry: try registry(of: engine, at: desk.db), confirmed: confirm,
            ledger: try Ledger.open(at: desk.db), config: setup.config)
        if !json { print(ActionText.enlargement(plan)) }
        for w in plan.warnings { note("warning: \(ActionText.warning(w))") }
        if plan.needsConfirmation {
            if json { try document(plan, added: nil, desk: nil, run: nil) }
            throw DispatchError(
                .confirmationRequired,
                "enlarging action \(action.id) would give it \(grouped(plan.count.total)) persons, more than the "
                    + "\(grouped(plan.threshold ?? 0)) usual for a '\(plan.count.incidentType)' action; check the "
                    + "area and repeat with --confirm to enlarge")
        }
        let command = DeskCommand.enlarge(action.id, ActionSelection(selection), confirmed: confirm)
        try desk.perform(command, setup) { answer, d in
            let added = answer.count
            if json {
                let run = try d.flatMap { keepRunning ? try runDesk($0, json: true) : nil }
                return try document(plan, added: added, desk: d, run: run)
            }
            print(
                "action \(action.id) enlarged: \(grouped(added)) participants added "
                    + "(\(grouped(selection.participants.count - added)) were already included)")
            if let d {
                if keepRunning { try runDesk(d) } else { print(ActionText.handedOverNote(d)) }
                print(ActionText.status(try d.dispatcher.status(action.id)))
            } else {
                print(try desk.ledgerStatus(action.id))
            }
        }
        if !plan.warnings.isEmpty || warned { throw CommandFailure(.warnings) }
    }
}
