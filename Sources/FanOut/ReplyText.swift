import Foundation
import GRDB
import Participants

/// What a participant's text reply (an SMS to the service's number) means.
///
/// The first word decides, in any of the four languages, case and accents ignored:
///
/// | first word | answer |
/// | --- | --- |
/// | `1`, `ja`, `zien`, `gezien`, `seen`, `yes`, `vu`, `oui`, `gesehen` | ``AnswerKind/sighting`` |
/// | `2`, `stop`, `stopp`, `arret`, `halt`, `nee`, `no`, `non`, `nein` | ``AnswerKind/stop`` |
/// | anything else | ``AnswerKind/acknowledgement`` (the text kept) |
///
/// A number after the first word names the action (`ZIEN 12`): a participant alerted in two
/// actions at once can say which; without it, the reply is for their latest action.
public struct ReplyText: Sendable, Hashable {
    /// The answer.
    public var kind: AnswerKind
    /// The action named in the reply, if any.
    public var action: ActionID?

    static let sighting: Set<String> = ["1", "ja", "zien", "gezien", "seen", "yes", "vu", "oui", "gesehen"]
    static let stop: Set<String> = ["2", "stop", "stopp", "arret", "halt", "nee", "no", "non", "nein"]

    /// Interprets `text`.
    public init(_ text: String) {
        let words = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        let first = words.first ?? ""
        kind = Self.sighting.contains(first) ? .sighting : Self.stop.contains(first) ? .stop : .acknowledgement
        action = words.dropFirst().first.flatMap { Int64($0) }.flatMap { $0 > 0 ? ActionID(rawValue: $0) : nil }
        if kind == .acknowledgement { action = nil }
    }
}

extension Ledger {
    /// How many of the latest actions a reply without an action number is looked for in.
    public static let replyActions = 100

    /// The action a reply from one of `persons` is for: `named` when one of them had a message in
    /// it, else the latest action (of the last ``replyActions``) in which one of them had an alert
    /// on `channel`; with the person.
    ///
    /// - Throws: ``DispatchError`` `.ledger`.
    public func replyTarget(persons: [Int64], named: ActionID?, channel: Channel) throws -> (ActionID, Int64)? {
        guard !persons.isEmpty else { return nil }
        let list = persons.map(String.init).joined(separator: ",")
        return try read("finding the action a reply is for") { db in
            let row: Row?
            if let named {
                row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT action_id, person_id FROM dispatch_message
                        WHERE action_id = ? AND person_id IN (\(list)) ORDER BY person_id LIMIT 1
                        """, arguments: [named.rawValue])
            } else {
                row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT action_id, person_id FROM dispatch_message
                        WHERE action_id IN (SELECT id FROM dispatch_action ORDER BY id DESC LIMIT \(Self.replyActions))
                            AND person_id IN (\(list)) AND channel = ? AND kind = 'alert'
                            AND state IN ('sent', 'delivered')
                        ORDER BY action_id DESC LIMIT 1
                        """, arguments: [channel.rawValue])
            }
            return row.map { (ActionID(rawValue: $0[0]), $0[1]) }
        }
    }
}
