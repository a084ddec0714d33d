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

struct ActionStatusCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show actions as the ledger records them: states, counts, times and the ring report.",
        discussion: """
            Reads the ledger only: nothing is resumed or sent. Without an id, one line per action; with an id, its \
            alerts and end messages per state and channel, how many were reached, when the last alert and end \
            message completed, and per 500 m distance ring (outermost first) when it was reached, then who gave \
            each of its commands (start, enlarge, stop, end) and when, in UTC. Times are dispatcher time (T+) \
            since the ledger's first action.
            """)

    @Option(help: ArgumentHelp("The registry database, which also holds the ledger.", valueName: "FILE"))
    var db: String
    @Argument(help: "The action id (all actions when left out).")
    var action: ActionIDArgument?
    @Option(help: ArgumentHelp("Width of the distance rings in metres.", valueName: "METRES"))
    var ringWidth: Double = 500
    @Flag(help: JSONOutput.flagHelp())
    var json = false

    @OptionGroup(title: "Logging") var logging: LogOptions

    func validate() throws {
        do { try RingReport.checkWidth(ringWidth, named: "--ring-width") } catch let e as DispatchError {
            throw ValidationError(e.message)
        }
    }

    func run() throws {
        try requireRegistry(db)
        let ledger: Ledger
        do {
            ledger = try Ledger.open(at: db, readOnly: true)
        } catch let e as DispatchError where e.code == .unknownAction && action == nil {
            return try report([])  // a registry without a ledger: no action was ever started in it
        }
        if let action, !json {
            print(ActionText.summary(try ledger.summary(of: action.id, ringWidthMeters: ringWidth), rings: true))
            let commands = try ledger.commands(of: action.id)
            if !commands.isEmpty { print(ActionText.commands(commands)) }
            return
        }
        if let action {
            return try JSONOutput.print(
                .actionStatus, JSONOutput.Fields(),
                adding: [
                    "ring_width_m": ringWidth, "actions": [try ledger.summary(of: action.id, ringWidthMeters: ringWidth)],
                    "commands": try ledger.commands(of: action.id).map(CommandJSON.init),
                ])
        }
        try report(
            try action.map { [try ledger.summary(of: $0.id, ringWidthMeters: ringWidth)] }
                ?? ledger.summaries(ringWidthMeters: ringWidth))
    }

    /// Prints the actions listed (all of them, or the one asked for in JSON).
    private func report(_ all: [ActionSummary]) throws {
        if json {
            return try JSONOutput.print(
                .actionStatus, JSONOutput.Fields(), adding: ["ring_width_m": ringWidth, "actions": all])
        }
        if all.isEmpty { print("no actions in \(db)") }
        for s in all { print(ActionText.summary(s, rings: false)) }
    }
}

struct ActionExplainCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain what happened to one participant in one action, from the ledger.",
        discussion: """
            Whether the participant's person was included (a person registered at several addresses is alerted once, \
            through one of them, which is then named), their place in the outside-in order, channel and distance, \
            the alert's state and time, and whether and when the end message went out; then the dispatcher's audit: \
            each area version (as drawn, with the registry generation), the inclusion or the reason for a skip, \
            every failed attempt with its retry or fallback. Contact details are never shown.
            """)

    @Option(help: ArgumentHelp("The registry database, which also holds the ledger.", valueName: "FILE"))
    var db: String
    @Argument(help: "The action id.")
    var action: ActionIDArgument
    @Argument(help: "The participant id.")
    var participant: Int64
    @Flag(help: JSONOutput.flagHelp())
    var json = false

    @OptionGroup(title: "Logging") var logging: LogOptions

    func run() throws {
        try requireRegistry(db)
        let ledger = try Ledger.open(at: db, readOnly: true)
        let e = try ledger.explanation(of: action.id, participant: participant)
        let audit = try ledger.explain(action: action.id, person: participant)
        if json {
            return try JSONOutput.print(
                .actionExplain, JSONOutput.Fields(),
                adding: ["action": action.id.rawValue, "participant": participant, "ledger": e, "audit": audit])
        }
        print(ActionText.explanation(e, action: action.id))
        print(audit.description)
    }
}
