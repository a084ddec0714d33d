@testable import ChannelAdapters
import FanOut
import Foundation
@testable import ProviderAdapters
import Testing

/// The push payload: the area simplified to a few vertices that still tell inside from outside,
/// and every payload within the 3993 bytes a 4096-byte push can carry.
@Suite struct WebPushPayloadTests {
    /// A circle of `n` vertices around (lon, lat) with a radius of `r` degrees of latitude.
    static func circle(lon: Double = 4.9, lat: Double = 52.37, r: Double = 0.01, n: Int) -> [[Double]] {
        let k = cos(lat * .pi / 180)
        return (0...n).map { i in
            let a = 2 * Double.pi * Double(i % n) / Double(n)
            return [lon + r * cos(a) / k, lat + r * sin(a)]
        }
    }

    /// Even-odd point in polygon (the test an app runs), written apart from the adapter's code.
    static func inside(_ p: [Double], _ ring: [[Double]]) -> Bool {
        var inside = false
        var j = ring.count - 1
        for i in 0..<ring.count {
            let (a, b) = (ring[i], ring[j])
            if (a[1] > p[1]) != (b[1] > p[1]), p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0] {
                inside.toggle()
            }
            j = i
        }
        return inside
    }

    @Test func aSquareDrawnWithManyPointsSimplifiesToItsFourCorners() {
        var ring: [[Double]] = []
        let corners = [[4.80, 52.30], [4.90, 52.30], [4.90, 52.40], [4.80, 52.40]]
        for side in 0..<4 {
            let (a, b) = (corners[side], corners[(side + 1) % 4])
            for i in 0..<100 {
                let t = Double(i) / 100
                ring.append([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t])
            }
        }
        ring.append(ring[0])
        let out = WebPushArea.simplified([ring], maxVertices: 48)
        #expect(out.count == 1)
        #expect(out[0].count == 5)
        #expect(out[0].first == out[0].last)
        #expect(Set(out[0].dropLast().map { "\($0[0]),\($0[1])" }) == Set(corners.map { "\($0[0]),\($0[1])" }))
    }

    @Test(arguments: [12, 48, 200])
    func aThousandVertexCircleKeepsTheBudgetAndTellsInsideFromOutside(budget: Int) {
        let circle = Self.circle(n: 1000)
        let out = WebPushArea.simplified([circle], maxVertices: budget)
        #expect(out.count == 1)
        let ring = out[0]
        #expect(ring.count - 1 <= budget && ring.count - 1 >= budget - 1)
        #expect(ring.first == ring.last)
        // Every vertex is one of the circle's (rounded to 5 decimals).
        let rounded = Set(circle.map { "\(($0[0] * 1e5).rounded() / 1e5),\(($0[1] * 1e5).rounded() / 1e5)" })
        #expect(ring.allSatisfy { rounded.contains("\($0[0]),\($0[1])") })
        // Points well inside and well outside (by what the budget's chords cut off) stay so.
        let margin = 1 - cos(Double.pi / Double(budget / 2)) + 0.002
        let k = cos(52.37 * .pi / 180)
        for i in 0..<360 {
            let a = Double(i) * .pi / 180
            let near = [4.9 + 0.01 * (1 - margin) * cos(a) / k, 52.37 + 0.01 * (1 - margin) * sin(a)]
            let far = [4.9 + 0.01 * 1.01 * cos(a) / k, 52.37 + 0.01 * 1.01 * sin(a)]
            #expect(Self.inside(near, ring), "\(i)° inside")
            #expect(!Self.inside(far, ring), "\(i)° outside")
        }
    }

    @Test func manySmallPolygonsKeepTheLargestThatFitAndBadVerticesAreDropped() {
        var polygons: [[[Double]]] = (0..<30).map { i in
            let s = 0.001 * Double(i + 1)
            let x = 4.0 + Double(i) * 0.1
            return [[x, 52], [x + s, 52], [x, 52 + s], [x, 52]]
        }
        polygons.append([[.nan, 52], [200, 52], [4, 95], [4, 52, 1]])  // nothing usable
        let out = WebPushArea.simplified(polygons, maxVertices: 48)
        #expect(out.count == 16)
        #expect(WebPushArea.vertexCount(out) == 48)
        // The 16 largest: the last 16 triangles, in order.
        let expected: [Double] = (14..<30).map { (i: Int) -> Double in
            let x: Double = 4.0 + Double(i) * 0.1
            return (x * 1e5).rounded() / 1e5
        }
        let firsts: [Double] = out.map { $0[0][0] }
        #expect(firsts == expected)
    }

    static func message(_ text: String, photo: String? = nil) -> OutboundMessage {
        OutboundMessage(
            key: MessageKey(action: ActionID(rawValue: 42), person: 7, kind: .alert), channel: .app, text: text,
            photoURL: photo, language: "nl")
    }

    static func json(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func aPayloadCarriesTheMessageTheUrgencyAndTheArea() throws {
        let made = try #require(
            WebPushPayload.make(
                Self.message("Vermist: meisje (8), rode jas \"Anna\" / blond", photo: "https://b.example/p/1.jpg"),
                urgency: .critical, area: [Self.circle(n: 500)], maxAreaVertices: 32))
        let o = try Self.json(made.bytes)
        #expect(o["v"] as? Int == 1)
        #expect(o["action"] as? Int == 42)
        #expect(o["kind"] as? String == "alert")
        #expect(o["key"] as? String == "42/7/alert/1")
        #expect(o["text"] as? String == "Vermist: meisje (8), rode jas \"Anna\" / blond")
        #expect(o["photo"] as? String == "https://b.example/p/1.jpg")
        #expect(o["urgency"] as? String == "critical")
        #expect(o["language"] as? String == "nl")
        let area = try #require(o["area"] as? [[[Double]]])
        #expect(area.count == 1 && area[0].count == 33)
        #expect(made.areaVertices == 32 && !made.textShortened)
        // No area, no photo: the keys are left out.
        let bare = try Self.json(
            try #require(WebPushPayload.make(Self.message("x"), urgency: .low, area: [], maxAreaVertices: 32)).bytes)
        #expect(bare["area"] == nil && bare["photo"] == nil)
    }

    @Test func aLongTextAndALargeAreaAreCutToFitIn4KB() throws {
        let text = String(repeating: "Één verdachte, gezien bij het station; ", count: 150)  // about 6 KB
        let made = try #require(
            WebPushPayload.make(Self.message(text), urgency: .high, area: [Self.circle(n: 1000)], maxAreaVertices: 400))
        #expect(made.bytes.count <= WebPushEncryption.maxPlaintextBytes)
        #expect(made.bytes.count > WebPushEncryption.maxPlaintextBytes - 20)  // as long as fits
        #expect(made.textShortened)
        let o = try Self.json(made.bytes)
        let cut = try #require(o["text"] as? String)
        #expect(cut.hasSuffix("…") && text.hasPrefix(String(cut.dropLast())))
        #expect(made.areaVertices == 4)  // halved down to the smallest before the text was cut
        // A large area alone is simplified further until it fits, the text untouched.
        let area = try #require(
            WebPushPayload.make(
                Self.message("kort"), urgency: .high, area: [Self.circle(n: 1000)], maxAreaVertices: 1000))
        #expect(area.bytes.count <= WebPushEncryption.maxPlaintextBytes)
        #expect(!area.textShortened && area.areaVertices < 1000 && area.areaVertices >= 100)
    }
}
