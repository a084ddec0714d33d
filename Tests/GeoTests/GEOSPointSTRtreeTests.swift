import GeoTestSupport
import TestSupport
import Testing

@testable import Geo

@Suite("GEOS point STR-tree")
struct GEOSPointSTRtreeTests {
    /// Brute-force envelope filter: the oracle.
    static func bruteForce(_ envelope: Envelope, xs: [Double], ys: [Double]) -> [Int32] {
        (0..<xs.count).filter { envelope.contains(x: xs[$0], y: ys[$0]) }.map { Int32($0) }
    }

    @Test("query equals a brute-force filter on 10k random points and 100 random envelopes")
    func randomAgainstBruteForce() throws {
        var rng = SeededRandom(seed: 42)
        // Points on an integer grid so that many fall exactly on envelope edges, plus free points.
        var xs: [Double] = []
        var ys: [Double] = []
        for index in 0..<10_000 {
            if index % 2 == 0 {
                xs.append(Double(Int.random(in: 0...200, using: &rng)))
                ys.append(Double(Int.random(in: 0...200, using: &rng)))
            } else {
                xs.append(Double.random(in: 0...200, using: &rng))
                ys.append(Double.random(in: 0...200, using: &rng))
            }
        }
        var envelopes: [Envelope] = []
        for _ in 0..<100 {
            let x0 = Double(Int.random(in: -10...210, using: &rng))
            let y0 = Double(Int.random(in: -10...210, using: &rng))
            let width = Double(Int.random(in: 0...60, using: &rng))
            let height = Double(Int.random(in: 0...60, using: &rng))
            envelopes.append(Envelope(minX: x0, minY: y0, maxX: x0 + width, maxY: y0 + height))
        }
        // Edge cases: exactly one grid point, a whole row, everything, nothing.
        envelopes.append(Envelope(minX: 100, minY: 100, maxX: 100, maxY: 100))
        envelopes.append(Envelope(minX: 0, minY: 50, maxX: 200, maxY: 50))
        envelopes.append(Envelope(minX: -1, minY: -1, maxX: 201, maxY: 201))
        envelopes.append(Envelope(minX: 300, minY: 300, maxX: 400, maxY: 400))

        var onEdges = 0
        try withCheckedContext { context in
            let tree = try GEOSPointSTRtree(context: context, xs: xs, ys: ys)
            #expect(tree.count == xs.count)
            for envelope in envelopes {
                var found: [Int32] = []
                try tree.query(envelope, into: &found)
                let expected = Self.bruteForce(envelope, xs: xs, ys: ys)
                #expect(found.sorted() == expected, "envelope \(envelope)")
                onEdges += expected.count { index in
                    let x = xs[Int(index)]
                    let y = ys[Int(index)]
                    return x == envelope.minX || x == envelope.maxX || y == envelope.minY || y == envelope.maxY
                }
            }
        }
        #expect(onEdges > 100, "the sample should put many points exactly on envelope edges")
    }

    @Test("query appends to existing results and can run many times")
    func appendsAndRepeats() throws {
        try withCheckedContext { context in
            let tree = try GEOSPointSTRtree(context: context, xs: [0, 1, 2, 3], ys: [0, 1, 2, 3])
            var found: [Int32] = [-7]
            try tree.query(Envelope(minX: 1, minY: 1, maxX: 2, maxY: 2), into: &found)
            #expect(found.first == -7)
            #expect(found.dropFirst().sorted() == [1, 2])
            found.removeAll()
            try tree.query(Envelope(minX: 0, minY: 0, maxX: 0, maxY: 0), into: &found)
            #expect(found == [0])
        }
    }

    @Test("an empty tree, an inverted envelope and NaN points give nothing")
    func degenerateInputs() throws {
        try withCheckedContext { context in
            var found: [Int32] = []
            let empty = try GEOSPointSTRtree(context: context, xs: [], ys: [])
            try empty.query(Envelope(minX: -1e9, minY: -1e9, maxX: 1e9, maxY: 1e9), into: &found)
            #expect(found.isEmpty)

            let tree = try GEOSPointSTRtree(context: context, xs: [1, .nan, 3], ys: [1, 2, .nan])
            try tree.query(Envelope(minX: 5, minY: 5, maxX: 0, maxY: 0), into: &found)
            #expect(found.isEmpty)
            try tree.query(Envelope(minX: .nan, minY: 0, maxX: 10, maxY: 10), into: &found)
            #expect(found.isEmpty)
            try tree.query(Envelope(minX: -1e9, minY: -1e9, maxX: 1e9, maxY: 1e9), into: &found)
            #expect(found == [0])
            found.removeAll()
            try tree.query(Envelope(minX: -.infinity, minY: -.infinity, maxX: .infinity, maxY: .infinity), into: &found)
            #expect(found == [0])
        }
    }

    @Test("the buffer initializer indexes the same points")
    func bufferInitializer() throws {
        let xs: [Double] = [5, 6, 7]
        let ys: [Double] = [5, 6, 7]
        try withCheckedContext { context in
            let tree = try xs.withUnsafeBufferPointer { xs in
                try ys.withUnsafeBufferPointer { ys in try GEOSPointSTRtree(context: context, xs: xs, ys: ys) }
            }
            var found: [Int32] = []
            try tree.query(Envelope(minX: 6, minY: 6, maxX: 10, maxY: 10), into: &found)
            #expect(found.sorted() == [1, 2])
        }
    }
}
