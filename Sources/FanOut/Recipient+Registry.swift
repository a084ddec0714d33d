import Foundation
import Registry
import Selection

extension Recipient {
    /// Recipients for a selection, in its (outside-in) order, each with the person, preferred
    /// channels, quiet hours, language and opt-out of their registry record, and the channels
    /// they have no phone number or e-mail address for. Without a registry: the participants as
    /// they are (no preferences).
    ///
    /// - Throws: ``RegistryError`` when the registry cannot be read, or names the participant and
    ///   field whose stored value is not valid.
    public static func recipients(for selection: [SelectedParticipant], registry: Registry?) throws -> [Recipient] {
        guard let registry else { return selection.map { Recipient($0) } }
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
