import Foundation
import Geo
import TestSupport
import Testing

// MARK: - Leak-checked contexts

/// Runs `body` with a fresh context, then checks that every handle made from it was freed and
/// that the context itself was released (so `GEOS_finish_r` ran).
///
/// The check uses the per-context counter, so it is not disturbed by other tests running in
/// parallel. Objects created inside `body` must not escape it.
package func withCheckedContext(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: (GEOSContext) throws -> Void
) throws {
    weak var weakContext: GEOSContext?
    try {
        let context = try GEOSContext()
        weakContext = context
        try body(context)
        #if DEBUG
            #expect(context.ownedHandleCount == 0, "GEOS handles leaked", sourceLocation: sourceLocation)
        #endif
    }()
    #expect(weakContext == nil, "the GEOSContext outlived the test", sourceLocation: sourceLocation)
}

// MARK: - Fixtures

/// The folder of this test target's fixtures, found from this file's path.
public let geoFixtures = Fixtures.url("GeoTests/Fixtures")

/// Reads a fixture file as text.
public func fixtureText(_ relativePath: String) throws -> String {
    try String(contentsOf: geoFixtures.appendingPathComponent(relativePath), encoding: .utf8)
}

// MARK: - Shapes

/// An axis-aligned rectangle ring, closed, counter-clockwise.
public func rectangle(_ minX: Double, _ minY: Double, _ maxX: Double, _ maxY: Double) -> [XY] {
    [XY(minX, minY), XY(maxX, minY), XY(maxX, maxY), XY(minX, maxY), XY(minX, minY)]
}

/// The `GeoError` thrown by `body`, or `nil` (recording an issue) when it throws something else
/// or nothing.
public func geoError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> GeoError? {
    #expect(throws: GeoError.self, sourceLocation: sourceLocation) { try body() }
}
