import FanOut
import FanoutEngine
import FanoutTesting
import Foundation
import Geo
import ProviderAdapters
import Participants

/// A command for an action, as one process hands it to the dispatcher of a ledger.
public enum DeskCommand: Sendable {
    /// Start an action on a selection (its participants outside-in, its incident point and its
    /// area for the audit); preferences, opt-outs, quiet hours and contact data come from the
    /// registry of the process that applies it.
    case start(ActionRequest, ActionSelection)
    /// Enlarge an action with a selection (its area is the new area version in the audit).
    case enlarge(ActionID, ActionSelection, confirmed: Bool)
    /// Stop an action: its queued alerts are cancelled.
    case stop(ActionID)
    /// End an action with its result text (and texts per language).
    case end(ActionID, result: String, texts: [String: String])

    /// The command's name: `start`, `enlarge`, `stop` or `end`.
    public var kind: String {
        switch self {
        case .start: "start"
        case .enlarge: "enlarge"
        case .stop: "stop"
        case .end: "end"
        }
    }

    /// The action it is for (`nil` for a start).
    public var action: ActionID? {
        switch self {
        case .start: nil
        case .enlarge(let id, _, _), .stop(let id), .end(let id, _, _): id
        }
    }
}

/// What applying a ``DeskCommand`` gave.
public struct DeskAnswer: Sendable, Hashable, Codable {
    /// The action (the new one for a start).
    public var action: ActionID
    /// Start: persons included; enlarge: persons added; stop: alerts cancelled; end: end messages queued.
    public var count: Int
    /// Whether another process (the ledger's holder) applied it.
    public var appliedElsewhere = false
}

/// How a command was carried out by ``ActionDesk/perform(_:db:waitingAtMost:open:handedOff:)``.
public struct DeskPerformance {
    /// The answer.
    public var answer: DeskAnswer
    /// This process's desk when it took the ledger and applied the command itself (run it, then
    /// close it); `nil` when the process holding the ledger applied it.
    public var desk: ActionDesk?
}

extension ActionDesk {
    // MARK: - Commands, here or in the ledger's holder

    /// How long a command may wait in the inbox before its holder refuses it as expired.
    public static let inboxExpiry: TimeInterval = 120

    /// Applies `command` to this desk's dispatcher; the ledger holds its effect when this returns.
    ///
    /// - Parameter origin: Who gave the command: recorded in the ledger's command log in the
    ///   command's own transaction (`nil`: no record).
    /// - Throws: What ``start(_:origin:)``, ``enlarge(_:origin:)``, ``stop(_:origin:)`` and
    ///   ``end(_:result:texts:origin:)`` throw; ``RegistryError`` reading preferences.
    public func apply(_ command: DeskCommand, origin: CommandOrigin? = nil) throws -> DeskAnswer {
        switch command {
        case .start(let request, let selection):
            let plan = try Self.plan(
                request, selection: selection, recipients: .registry(try registry()), config: config)
            let id = try start(plan, origin: origin)
            return DeskAnswer(action: id, count: try dispatcher.status(id).included)
        case .enlarge(let id, let selection, let confirmed):
            let recipients = try RecipientSource.registry(try registry()).recipients(for: selection.participants)
            return DeskAnswer(
                action: id,
                count: try enlarge(id, with: recipients, area: selection.area, confirmed: confirmed, origin: origin))
        case .stop(let id):
            return DeskAnswer(action: id, count: try stop(id, origin: origin))
        case .end(let id, let result, let texts):
            return DeskAnswer(action: id, count: try end(id, result: result, texts: texts, origin: origin))
        }
    }

    /// Applies every command other processes left in the ledger's inbox, oldest first, and
    /// answers each (applied, refused with the error, or expired after ``inboxExpiry``).
    ///
    /// - Returns: The commands answered now.
    /// - Throws: ``DispatchError`` `.ledger` when the inbox cannot be read or answered.
    @discardableResult
    public func applyInbox() throws -> [(InboxCommand, InboxOutcome)] {
        var answered: [(InboxCommand, InboxOutcome)] = []
        for item in try ledger.pendingCommands() {
            let outcome: InboxOutcome
            if Date().timeIntervalSince(item.submittedAt) > Self.inboxExpiry {
                outcome = .expired
            } else {
                do {
                    let (command, origin) = try DeskCommandCoding.decode(item)
                    var answer = try apply(command, origin: origin)
                    answer.appliedElsewhere = true
                    outcome = .applied(String(decoding: try JSONEncoder().encode(answer), as: UTF8.self))
                } catch let error as DispatchError where error.code != .ledger {
                    outcome = .refused(error.code, error.description)
                } catch let error as DispatchError {
                    throw error
                } catch {
                    outcome = .refused(.invalidRequest, "\(error)")
                }
            }
            try ledger.answer(item.id, with: outcome)
            answered.append((item, outcome))
        }
        inboxApplied += answered.count
        return answered
    }

    /// Carries out `command` on the ledger in `db`: with a desk of this process when it can take
    /// the ledger lock (`open` opens it), otherwise through the ledger's inbox, applied at once by
    /// the process holding the lock.
    ///
    /// When the holder exits while the command waits, this process takes the lock and applies
    /// the command itself; when the holder does not answer within `waitingAtMost`, the command
    /// is withdrawn (unless it was applied meanwhile) and refused as busy. A command is applied
    /// once: the inbox answers each row once.
    ///
    /// - Parameters:
    ///   - origin: Who gave the command: recorded in the ledger's command log with it, also when
    ///     the holder applies it (`nil`: no record).
    ///   - open: Opens this process's desk on `db` (taking the ledger lock); throws
    ///     ``DispatchError`` `.ledgerBusy` when another process holds it.
    ///   - handedOff: Called once when the command goes to the holder, with who that is.
    /// - Returns: The answer, and this process's desk when it applied the command itself.
    /// - Throws: The command's own errors (also when the holder refused it), ``DispatchError``
    ///   `.ledgerBusy` when nobody applied it in time, `.ledger`.
    public static func perform(
        _ command: DeskCommand, db: String, origin: CommandOrigin? = nil, waitingAtMost: Duration = .seconds(30),
        open: () throws -> ActionDesk,
        handedOff: (LedgerLock.Holder?) -> Void = { _ in }
    ) throws -> DeskPerformance {
        func ownDesk() throws -> ActionDesk? {
            do { return try open() } catch let error as DispatchError where error.code == .ledgerBusy { return nil }
        }
        if let desk = try ownDesk() {
            do {
                return DeskPerformance(answer: try desk.apply(command, origin: origin), desk: desk)
            } catch {
                _ = try? desk.close()
                throw error
            }
        }
        let ledger = try Ledger.open(at: db)
        let (kind, action, payload) = try DeskCommandCoding.encode(command, origin: origin)
        let id = try ledger.submit(kind: kind, action: action, payload: payload)
        handedOff(LedgerLock.holder(of: db))
        let deadline = ContinuousClock.now + waitingAtMost
        while true {
            switch try ledger.inboxOutcome(of: id) {
            case .applied(let text):
                guard let answer = try? JSONDecoder().decode(DeskAnswer.self, from: Data(text.utf8)) else {
                    throw DispatchError(.ledger, "\(db): the answer to command \(id) is not readable: \(text.prefix(200))")
                }
                return DeskPerformance(answer: answer, desk: nil)
            case .refused(let code, let message):
                throw DispatchError(code, message)
            case .withdrawn, .expired:
                throw DispatchError(.ledgerBusy, "\(db): command \(id) was not applied (expired in the inbox)")
            case .pending:
                break
            }
            // The holder may have exited: take the ledger and apply the waiting commands here.
            if !(try LedgerLock.isHeld(for: db)), let desk = try ownDesk() {
                do {
                    try desk.applyInbox()
                } catch {
                    _ = try? desk.close()
                    throw error
                }
                if case .applied(let text) = try ledger.inboxOutcome(of: id),
                    var answer = try? JSONDecoder().decode(DeskAnswer.self, from: Data(text.utf8))
                {
                    answer.appliedElsewhere = false
                    return DeskPerformance(answer: answer, desk: desk)
                }
                _ = try? desk.close()
                continue  // refused or expired: reported above on the next turn
            }
            if ContinuousClock.now >= deadline {
                if try ledger.answer(id, with: .withdrawn) {
                    let holder = LedgerLock.holder(of: db).map { " by \($0)" } ?? ""
                    throw DispatchError(
                        .ledgerBusy,
                        "\(db): the ledger is held\(holder), which did not take the \(kind) command within "
                            + "\(Int(waitingAtMost.seconds)) s; nothing was changed")
                }
                continue  // answered just now
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}

/// The inbox's JSON for a ``DeskCommand``.
enum DeskCommandCoding {
    private struct Payload: Codable {
        var incidentX: Double?
        var incidentY: Double?
        var incidentType: String?
        var urgency: Int?
        var message: String?
        var texts: [String: String]?
        var photoURL: String?
        /// `nil`: the urgency's default channels.
        var channels: [String]?
        var confirmed: Bool?
        var result: String?
        var area: String?
        var registryGeneration: Int64?
        /// Participant ids and distances, 16 bytes each (little-endian Int64, Float64 bits).
        var participants: Data?
        /// Who gave the command (absent in commands of older versions: then no command-log record).
        var operatorName: String?
        var role: String?
        var requestID: String?
        /// When it was given: milliseconds since 1970 UTC.
        var givenAtMs: Int64?
    }

    static func encode(_ command: DeskCommand, origin: CommandOrigin? = nil) throws -> (String, ActionID?, Data) {
        var p = Payload()
        if let origin {
            p.operatorName = origin.operatorName
            p.role = origin.role
            p.requestID = origin.requestID
            p.givenAtMs = origin.wallTime.unixMilliseconds
        }
        func selection(_ s: ActionSelection) {
            var data = Data(capacity: s.participants.count * 16)
            for s in s.participants {
                withUnsafeBytes(of: s.id.littleEndian) { data.append(contentsOf: $0) }
                withUnsafeBytes(of: s.distanceMeters.bitPattern.littleEndian) { data.append(contentsOf: $0) }
            }
            p.participants = data
            p.incidentX = s.incident.x
            p.incidentY = s.incident.y
            p.area = s.area.geometry
            p.registryGeneration = s.area.registryGeneration
        }
        switch command {
        case .start(let r, let s):
            p.incidentType = r.incidentType
            p.urgency = r.urgency.rawValue
            p.message = r.message
            p.texts = r.texts
            p.photoURL = r.photoURL
            p.channels = r.channelsDefaulted ? nil : r.channels.map(\.rawValue)
            p.confirmed = r.confirmed
            selection(s)
        case .enlarge(_, let s, let confirmed):
            p.confirmed = confirmed
            selection(s)
        case .stop:
            break
        case .end(_, let result, let texts):
            p.result = result
            p.texts = texts
        }
        return (command.kind, command.action, try JSONEncoder().encode(p))
    }

    /// The command of an inbox row, and who gave it (`nil` when the row does not say).
    static func decode(_ item: InboxCommand) throws -> (DeskCommand, CommandOrigin?) {
        let bad = { (what: String) in DispatchError(.invalidRequest, "inbox command \(item.id) (\(item.kind)): \(what)") }
        guard let p = try? JSONDecoder().decode(Payload.self, from: item.payload) else { throw bad("unreadable") }
        let origin = p.operatorName.map { name in
            CommandOrigin(
                operator: name, role: p.role, requestID: p.requestID,
                wallTime: p.givenAtMs.map { Date(timeIntervalSince1970: Double($0) / 1000) } ?? item.submittedAt)
        }
        return (try command(of: item, p, bad), origin)
    }

    private static func command(
        of item: InboxCommand, _ p: Payload, _ bad: (String) -> DispatchError
    ) throws -> DeskCommand {
        func participants() throws -> [SelectedParticipant] {
            guard let data = p.participants, data.count % 16 == 0 else { throw bad("no participant list") }
            return stride(from: 0, to: data.count, by: 16).map { i in
                let id = data.subdata(in: i..<i + 8).withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }
                let bits = data.subdata(in: i + 8..<i + 16).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                return SelectedParticipant(
                    id: Int64(littleEndian: id), distanceMeters: Double(bitPattern: UInt64(littleEndian: bits)),
                    country: nil, row: 0)
            }
        }
        func selection() throws -> ActionSelection {
            // The incident point: from the start's request before the selection carried it.
            guard let x = p.incidentX, let y = p.incidentY else { throw bad("no incident point") }
            return ActionSelection(
                participants: try participants(), incident: RDPoint(x: x, y: y),
                area: AreaRecord(geometry: p.area, registryGeneration: p.registryGeneration))
        }
        switch item.kind {
        case "start":
            guard let type = p.incidentType, let message = p.message,
                let level = p.urgency, let urgency = Urgency(rawValue: level)
            else { throw bad("incomplete request") }
            let channels = try p.channels.map { names in
                try names.map { name in
                    guard let c = Channel(rawValue: name) else { throw bad("unknown channel") }
                    return c
                }
            }
            let request = ActionRequest(
                incidentType: type, urgency: urgency, message: message, photoURL: p.photoURL, channels: channels,
                confirmed: p.confirmed ?? false, texts: p.texts ?? [:])
            return .start(request, try selection())
        case "enlarge":
            guard let id = item.action else { throw bad("no action") }
            return .enlarge(id, try selection(), confirmed: p.confirmed ?? false)
        case "stop":
            guard let id = item.action else { throw bad("no action") }
            return .stop(id)
        case "end":
            guard let id = item.action, let result = p.result else { throw bad("no action or result") }
            return .end(id, result: result, texts: p.texts ?? [:])
        default:
            throw bad("unknown command")
        }
    }
}
