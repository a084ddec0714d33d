import FanOut
import Foundation
/// What ``WebPushProvider`` needs to know of an action for its pushes: its urgency and its area.
///
/// The integrator's lookup gives it (from the ledger's action and its current area version).
public struct WebPushActionInfo: Sendable, Hashable {
    /// The action's urgency (`nil`: the configuration's ``WebPushConfiguration/defaultUrgency``).
    public var urgency: Urgency?
    /// The action's area in WGS84: its polygons, each the outer ring as `[lon, lat]` pairs (closed
    /// or not). Empty when not known: the payload then has no `area`.
    ///
    /// Simplified by the adapter to at most ``WebPushConfiguration/maxAreaVertices`` vertices.
    public var area: [[[Double]]]

    /// Creates the information of one action.
    public init(urgency: Urgency? = nil, area: [[[Double]]] = []) {
        self.urgency = urgency
        self.area = area
    }
}

/// The JSON an app receives, decrypted (format 1):
///
/// ```json
/// {"action":42,"area":[[[4.88,52.36],[4.9,52.36],[4.9,52.38],[4.88,52.36]]],"key":"42/7/alert/1",
///  "kind":"alert","language":"nl","photo":"https://…","replies":{"sighting":"https://…/reply/…",
///  "stop":"https://…/reply/…"},"text":"…","urgency":"critical","v":1}
/// ```
///
/// Keys are sorted; `photo`, `language`, `area` and `replies` are left out when there are none. `key` is the
/// message's idempotency key (an app drops a push it has shown already). At most
/// ``WebPushEncryption/maxPlaintextBytes`` (3993) bytes: the area is simplified further, then the
/// text shortened (with "…"), until it fits.
struct WebPushPayload: Encodable, Sendable {
    /// The format version.
    var v = 1
    var action: Int64
    var kind: String
    var key: String
    var text: String
    var photo: String?
    var urgency: String
    var language: String?
    var area: [[[Double]]]?
    /// The app's reply links of an alert (`sighting`, `stop`), when the adapter has reply links.
    var replies: [String: String]?

    /// How a payload was made to fit.
    struct Made {
        var bytes: [UInt8]
        /// Vertices of the area in it.
        var areaVertices: Int
        /// Whether the text had to be shortened.
        var textShortened: Bool
    }

    /// The payload of `message`, at most `limit` bytes.
    ///
    /// - Returns: `nil` when even an empty text and no area do not fit (a photo link of kilobytes).
    static func make(
        _ message: OutboundMessage, urgency: Urgency, area: [[[Double]]], maxAreaVertices: Int,
        replies: [String: String]? = nil, limit: Int = WebPushEncryption.maxPlaintextBytes
    ) -> Made? {
        var payload = WebPushPayload(
            action: message.key.action.rawValue, kind: message.key.kind.rawValue, key: message.idempotencyKey,
            text: message.text, photo: message.photoURL, urgency: urgency.name, language: message.language,
            replies: replies)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func encoded(_ p: WebPushPayload) -> [UInt8]? { (try? encoder.encode(p)).map { Array($0) } }
        // The area, simplified further while the payload is too long.
        var budget = maxAreaVertices
        while true {
            let simplified = WebPushArea.simplified(area, maxVertices: budget)
            payload.area = simplified.isEmpty ? nil : simplified
            if let bytes = encoded(payload), bytes.count <= limit {
                return Made(bytes: bytes, areaVertices: WebPushArea.vertexCount(simplified), textShortened: false)
            }
            if simplified.isEmpty || budget <= 4 { break }
            budget = max(4, budget / 2)
        }
        // Then the text, as long as fits (binary search over its characters).
        let characters = Array(message.text)
        var low = 0
        var high = characters.count
        var best: [UInt8]?
        while low <= high {
            let mid = (low + high) / 2
            payload.text = String(characters[..<mid]) + "…"
            if let bytes = encoded(payload), bytes.count <= limit {
                best = bytes
                low = mid + 1
            } else {
                high = mid - 1
            }
        }
        guard let best else {
            payload.area = nil
            payload.text = ""
            guard let bytes = encoded(payload), bytes.count <= limit else { return nil }
            return Made(bytes: bytes, areaVertices: 0, textShortened: true)
        }
        return Made(bytes: best, areaVertices: WebPushArea.vertexCount(payload.area ?? []), textShortened: true)
    }
}
