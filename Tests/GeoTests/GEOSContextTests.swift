import Foundation
import GeoTestSupport
import Synchronization
import Testing

@testable import Geo

@Suite("GEOS context")
struct GEOSContextTests {
    @Test("only the last error message is kept, and reading it clears it")
    func lastErrorOnly() throws {
        try withCheckedContext { context in
            #expect(context.takeLastError() == nil)
            _ = try? context.readWKT("POINT (1")
            _ = try? context.readWKT("FOO")
            // Both failures were consumed by the thrown errors.
            #expect(context.takeLastError() == nil)

            let first = geoError { _ = try context.readWKT("POINT (1") }
            let second = geoError { _ = try context.readWKT("FOO") }
            #expect(first?.message != second?.message, "each error carries its own message, not a stale one")
            #expect(second?.message.contains("FOO") == true || second?.message.contains("Unknown type") == true)
        }
    }

    @Test("an error helper formats '<operation>: <GEOS message>'")
    func errorFormat() throws {
        try withCheckedContext { context in
            _ = try? context.readWKT("LINESTRING (0 0")
            // readWKT consumed the message; the helper reports a missing message plainly.
            #expect(context.error("GEOSFoo_r").message == "GEOSFoo_r: GEOS reported failure without a message")
            #expect(context.error("GEOSFoo_r").code == .geos)
        }
    }

    @Test("handles and the context are all freed, also after failures")
    func noLeaksAcrossOperations() throws {
        try withCheckedContext { context in
            let polygon = try context.makePolygon(PlanarPolygon(shell: rectangle(0, 0, 4, 4)))
            let prepared = try polygon.prepared()
            #if DEBUG
                #expect(context.ownedHandleCount == 2)
                #expect(GEOSContext.liveHandleCount >= 3, "this context and its two handles at least")
            #endif
            _ = try prepared.covers(x: 1, y: 1)
            _ = try polygon.validity()
            _ = try polygon.toWKT()
            _ = try? context.readWKT("garbage")
            _ = try? context.makePolygon(PlanarPolygon(shell: [XY(0, 0)]))
            _ = try context.readWKT("POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))").validity()
            #if DEBUG
                #expect(context.ownedHandleCount == 2)
            #endif
        }
    }

    @Test("a geometry keeps its context alive")
    func geometryRetainsContext() throws {
        weak var weakContext: GEOSContext?
        var geometry: GEOSGeometry? = try {
            let context = try GEOSContext()
            weakContext = context
            return try context.readWKT("POINT (1 2)")
        }()
        #expect(weakContext != nil)
        #expect(try geometry?.toWKT() == "POINT (1 2)")
        geometry = nil
        #expect(weakContext == nil)
    }

    @Test("a context made on one thread works on another, one caller at a time")
    func anyThreadOneAtATime() throws {
        let context = try GEOSContext()
        nonisolated(unsafe) let moved = context  // handed over: this thread waits meanwhile
        let wkt = Mutex<String?>(nil)
        let thread = Thread { wkt.withLock { $0 = try? moved.readWKT("POINT (1 2)").toWKT() } }
        thread.start()
        while !thread.isFinished { usleep(1_000) }
        #expect(wkt.withLock { $0 } == "POINT (1 2)")
        #expect(try context.readWKT("POINT (3 4)").toWKT() == "POINT (3 4)")
    }

    #if DEBUG
        @Test("using a context from another thread while a caller is inside trips the debug assertion")
        func secondCaller() async {
            await #expect(processExitsWith: .failure) {
                guard let context = try? GEOSContext() else { return }
                nonisolated(unsafe) let foreign = context
                context.use.enter()  // this thread's operation is under way
                let done = DispatchSemaphore(value: 0)
                let thread = Thread {
                    _ = try? foreign.readWKT("POINT (1 2)")
                    done.signal()
                }
                thread.start()
                done.wait()
            }
        }
    #endif
}
