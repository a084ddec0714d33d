import Foundation
import Registry
import Selection

extension Recipient {
    /// Parses a registry preference text (`"voice,sms,email,app"`, in order; unknown words and
    /// repeats are skipped).
    public static func channels(parsing text: String) -> [Channel] {
        var out: [Channel] = []
        for word in text.split(separator: ",") {
            let name = word.trimmingCharacters(in: .whitespaces).lowercased()
            if let c = Channel(rawValue: name), !out.contains(c) { out.append(c) }
        }
        return out
    }

    /// Recipients for a selection, in its (outside-in) order, with each participant's person,
    /// preferred channels, quiet hours, language and opt-out from the registry, and the channels
    /// they have no phone number or e-mail address for. Without a registry: the participants as
    /// they are (no preferences).
    ///
    /// - Throws: ``RegistryError`` when the registry cannot be read; ``FanOutError``
    ///   `.invalidRequest` naming the participant and field when stored quiet hours or an opt-out
    ///   do not parse.
    public static func recipients(for selection: [SelectedParticipant], registry: Registry?) throws -> [Recipient] {
        guard let registry else { return selection.map { Recipient($0) } }
        let preferences = try registry.contactPreferences(ids: selection.map(\.id))
        var parsed: [String: QuietHours] = [:]
        return try selection.map { p in
            guard let pref = preferences[p.id] else { return Recipient(p) }
            var quiet: QuietHours?
            if let text = pref.quietHours {
                if let known = parsed[text] {
                    quiet = known
                } else {
                    do { quiet = try QuietHours(parsing: text) } catch let e as RegistryError {
                        throw FanOutError(
                            .invalidRequest, "participant \(p.id): field 'quiet_hours' in the registry: \(e.message)")
                    }
                    parsed[text] = quiet
                }
            }
            var optOut: OptOut?
            if let text = pref.optOut {
                do { optOut = try OptOut(parsing: text) } catch let e as RegistryError {
                    throw FanOutError(
                        .invalidRequest, "participant \(p.id): field 'opt_out' in the registry: \(e.message)")
                }
            }
            var noContact: [Channel] = []
            if !pref.hasPhone { noContact += [.voice, .sms] }
            if !pref.hasEmail { noContact.append(.email) }
            return Recipient(
                id: p.id, distanceMeters: p.distanceMeters, channels: pref.channels.map(channels(parsing:)) ?? [],
                person: pref.person, quietHours: quiet, language: pref.language, optOut: optOut,
                noContact: noContact)
        }
    }
}
