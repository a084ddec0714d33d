import Geo
import Participants

/// One participant inside an action area, with its distance to the incident point.
public struct SelectedParticipant: Sendable, Hashable {
    /// The participant id.
    public var id: Int64
    /// Distance from the incident point in RD New metres.
    public var distanceMeters: Double
    /// The participant's country, if known.
    public var country: CountryCode?
    /// Position in the index's columns (for looking up the position).
    public var row: Int32

    /// Creates an entry.
    public init(id: Int64, distanceMeters: Double, country: CountryCode?, row: Int32) {
        self.id = id
        self.distanceMeters = distanceMeters
        self.country = country
        self.row = row
    }
}

/// The outside-in order: farthest from the incident first; equal distances by id ascending.
public enum OutsideIn {
    /// Whether `a` comes before `b` outside-in.
    @inlinable
    public static func precedes(_ a: SelectedParticipant, _ b: SelectedParticipant) -> Bool {
        a.distanceMeters != b.distanceMeters ? a.distanceMeters > b.distanceMeters : a.id < b.id
    }

    /// Sorts participants outside-in (radix sort on the distances, see ``radixSort(_:)``).
    ///
    /// - Complexity: O(n).
    public static func sort(_ participants: inout [SelectedParticipant]) {
        radixSort(&participants)
    }
}
