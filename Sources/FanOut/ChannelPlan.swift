import Geo
import Participants
/// The channels one person may be reached on in one action, in the order they are tried (their
/// preference, limited to the action's channels, without channels in quiet hours).
///
/// Packed into 16 bits (three per channel, at most four channels) so that it costs nothing per
/// person and is stored in the ledger as an integer (`dispatch_message.plan`).
public struct ChannelPlan: Sendable, Hashable, CustomStringConvertible {
    /// The packed form: channel `i` in bits `3i ..< 3i + 3` as its index + 1; 0 ends the list.
    public private(set) var bits: UInt16

    /// A plan from its packed form (as stored).
    public init(bits: UInt16) { self.bits = bits }

    /// A plan of `channels` in order (repeats dropped).
    public init(_ channels: [Channel]) {
        bits = 0
        for c in channels { append(c) }
    }

    /// The number of channels.
    public var count: Int {
        var n = 0
        while n < 4, (bits >> UInt16(3 * n)) & 7 != 0 { n += 1 }
        return n
    }

    /// Whether the plan has no channel.
    public var isEmpty: Bool { bits == 0 }

    /// The channel at `index`, or `nil` past the end.
    public subscript(index: Int) -> Channel? {
        guard index >= 0, index < 4 else { return nil }
        let v = Int((bits >> UInt16(3 * index)) & 7)
        return v == 0 ? nil : Channel.allCases[v - 1]
    }

    /// Whether `channel` is in the plan.
    public func contains(_ channel: Channel) -> Bool {
        var i = 0
        while let c = self[i] {
            if c == channel { return true }
            i += 1
        }
        return false
    }

    /// Adds `channel` at the end unless it is there already.
    public mutating func append(_ channel: Channel) {
        guard !contains(channel) else { return }
        let n = count
        bits |= UInt16(channel.index + 1) << UInt16(3 * n)
    }

    /// The channels in order.
    public var channels: [Channel] { (0..<count).compactMap { self[$0] } }

    /// `"voice,sms"`.
    public var description: String { channels.map(\.rawValue).joined(separator: ",") }
}

extension Channel {
    /// Position in ``allCases`` (voice 0, sms 1, email 2, app 3).
    var index: Int {
        switch self {
        case .voice: 0
        case .sms: 1
        case .email: 2
        case .app: 3
        }
    }
}
