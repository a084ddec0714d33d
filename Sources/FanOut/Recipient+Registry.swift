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

    /// Recipients for a selection, in its (outside-in) order, with each participant's preferred
    /// channels from the registry.
    ///
    /// - Throws: ``RegistryError`` when the registry cannot be read.
    public static func recipients(for selection: [SelectedParticipant], registry: Registry) throws -> [Recipient] {
        let preferences = try registry.channelPreferences(ids: selection.map(\.id))
        return selection.map { p in Recipient(p, channels: preferences[p.id].map(channels(parsing:)) ?? []) }
    }
}
