import Foundation
import Geo
import Participants
import Selection

extension Recipient {
    /// Recipients for a selection, in its (outside-in) order, each with the person, preferred
    /// channels, quiet hours, language and opt-out of their registry record, and the channels
    /// they have no phone number or e-mail address for. A participant the registry does not hold
    /// (removed since the selection) gets no preferences.
    ///
    /// - Throws: ``RegistryError`` when the registry cannot be read, or names the participant and
    ///   field whose stored value is not valid.
    static func recipients(for selection: [SelectedParticipant], registry: Registry) throws -> [Recipient] {
        let preferences = try registry.contactPreferences(ids: selection.map(\.id))
        return selection.map { p in
            guard let pref = preferences[p.id] else { return Recipient(p) }
            var noContact: [Channel] = []
            if !pref.hasPhone { noContact += [.voice, .sms] }
            if !pref.hasEmail { noContact.append(.email) }
            return Recipient(record: pref.record, distanceMeters: p.distanceMeters, noContact: noContact)
        }
    }
}

/// Where an action's recipients get their person, channel preferences, opt-outs, quiet hours,
/// language and contact data: the registry, always, unless a load test or a test says otherwise.
///
/// Every public way to start or enlarge an action takes one, without a default: an action that
/// leaves the registry out says so, with a reason, in the code that starts it.
public enum RecipientSource: Sendable {
    /// Everything from the registry (production; see ``Registry/contactPreferences(ids:)``):
    /// opted-out persons are skipped, quiet hours and languages kept, channels without contact
    /// data left out.
    case registry(Registry)
    /// No registry: every participant is their own person, on the channels `channels` gives for
    /// their id (empty: the action's), with no opt-out, no quiet hours, no language and contact
    /// data on every channel. For load tests, benchmarks and tests only, never for real people;
    /// `reason` (not blank) says why.
    case withoutRegistry(reason: String, channels: @Sendable (Int64) -> [Channel] = { _ in [] })

    /// The recipients of `participants`, in their order.
    ///
    /// - Throws: ``RegistryError`` when the registry cannot be read; ``DispatchError``
    ///   `.invalidRequest` for a blank reason, or naming the participant and field when stored
    ///   quiet hours or an opt-out do not parse.
    public func recipients(for participants: [SelectedParticipant]) throws -> [Recipient] {
        switch self {
        case .registry(let registry):
            return try Recipient.recipients(for: participants, registry: registry)
        case .withoutRegistry(let reason, let channels):
            if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw DispatchError(
                    .invalidRequest, "recipients without the registry need a reason (load tests and tests only)")
            }
            return participants.map { Recipient($0, channels: channels($0.id)) }
        }
    }

    /// `registry`, or `without registry: <reason>` (for logs).
    public var description: String {
        switch self {
        case .registry: "registry"
        case .withoutRegistry(let reason, _): "without registry: \(reason.prefix(80))"
        }
    }
}
