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

struct ActionStopCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop a running action: its queued alerts are cancelled at once.",
        discussion: "Messages already with a provider complete. A stopped action can still be ended.")

    @OptionGroup var desk: DeskOptions
    @Argument(help: "The action id.")
    var action: ActionIDArgument
    @Flag(help: JSONOutput.flagHelp())
    var json = false

    @OptionGroup(title: "Logging") var logging: LogOptions

    func run() throws {
        try desk.perform(.stop(action.id), try desk.setup()) { answer, d in
            if json {
                return try JSONOutput.print(
                    .actionStop, JSONOutput.Fields(),
                    adding: [
                        "action": action.id.rawValue, "cancelled": answer.count, "applied_by": appliedBy(d),
                        "status": try d.map { try $0.dispatcher.status(action.id) },
                    ])
            }
            print("action \(action.id) stopped: \(grouped(answer.count)) queued alerts cancelled")
            print(try d.map { ActionText.status(try $0.dispatcher.status(action.id)) } ?? desk.ledgerStatus(action.id))
        }
    }
}

struct ActionEndCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "end",
        abstract: "End an action with its result: the end message goes to exactly those the alert reached.",
        discussion: """
            Queued alerts are cancelled; everyone whose alert was delivered or answered gets the end message, \
            including those whose call in progress is answered later, and nobody else. An action can be ended once.
            """)

    @OptionGroup var desk: DeskOptions
    @Argument(help: "The action id.")
    var action: ActionIDArgument
    @Option(
        help: ArgumentHelp("The end message, for example \"Child found. Thank you for looking.\".", valueName: "TEXT"))
    var result: String

    @Flag(name: .customLong("run"), help: "Keep processing until every end message is out.")
    var keepRunning = false
    @Flag(help: JSONOutput.flagHelp())
    var json = false

    @OptionGroup(title: "Logging") var logging: LogOptions

    func validate() throws {
        if result.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("--result must not be empty")
        }
    }

    func run() throws {
        try desk.perform(.end(action.id, result: result, texts: [:]), try desk.setup()) { answer, d in
            if json {
                let run = try d.flatMap { keepRunning ? try runDesk($0, json: true) : nil }
                return try JSONOutput.print(
                    .actionEnd, JSONOutput.Fields(),
                    adding: [
                        "action": action.id.rawValue, "end_messages_queued": answer.count, "applied_by": appliedBy(d),
                        "run": run, "status": try d.map { try $0.dispatcher.status(action.id) },
                    ])
            }
            print("action \(action.id) ended: \(grouped(answer.count)) end messages queued")
            guard let d else { return print(try desk.ledgerStatus(action.id)) }
            if keepRunning { try runDesk(d) } else { print(ActionText.handedOverNote(d)) }
            print(ActionText.status(try d.dispatcher.status(action.id)))
        }
    }
}

struct ActionRunCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Resume every unfinished action from the ledger and process until idle.",
        discussion: """
            After a crash (or after commands given without --run) this sends what the ledger shows queued, re-sends \
            what it shows in flight under the same idempotency key, and waits for every outcome; a progress bar is \
            drawn on a terminal. Safe to kill at any moment and run again. With Kannel, SMS in flight at a kill -9 \
            are sent again and may reach a phone twice; Ctrl-C or SIGTERM stops handing over and waits for their \
            delivery reports instead.
            """)

    @OptionGroup var desk: DeskOptions
    @Flag(help: JSONOutput.flagHelp("Printed when the run ends."))
    var json = false

    @OptionGroup(title: "Logging") var logging: LogOptions

    func run() throws {
        try withDesk(try desk.openDesk(try desk.setup())) { d in
            let ids = d.dispatcher.actionIDs
            if json {
                let run = try runDesk(d, json: true)
                return try JSONOutput.print(
                    .actionRun, JSONOutput.Fields(),
                    adding: [
                        "resumed": ids.map(\.rawValue), "run": run,
                        "actions": try ids.map { try d.dispatcher.status($0) },
                    ])
            }
            print(
                "resumed \(ids.count) unfinished action\(ids.count == 1 ? "" : "s")\(ids.isEmpty ? "" : ": " + ids.map(\.description).joined(separator: ", "))"
            )
            try runDesk(d)
            for id in ids { print(ActionText.status(try d.dispatcher.status(id))) }
        }
    }
}
