import Foundation
import GeoTestSupport
import Testing

@testable import Geo
@testable import GeoFormats

/// The GeoPackage geometry header and the WKB owners, against hand-encoded bytes and GEOS.
@Suite struct GeoPackageBinaryTests {
    /// Little-endian IEEE 754 bytes of a few exact doubles, written out by hand.
    static let le1: [UInt8] = [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]  // 1.0
    static let le2: [UInt8] = [0, 0, 0, 0, 0, 0, 0x00, 0x40]  // 2.0
    static let le3: [UInt8] = [0, 0, 0, 0, 0, 0, 0x08, 0x40]  // 3.0
    static let le4: [UInt8] = [0, 0, 0, 0, 0, 0, 0x10, 0x40]  // 4.0

    @Test func headerIsEncodedAsTheStandardSays() throws {
        let g = GeoPackageBinary(
            srsID: 4326, envelope: Envelope(minX: 1, minY: 2, maxX: 3, maxY: 4), wkb: [0xAA, 0xBB])
        // 'G' 'P', version 0, flags 0b011 (little-endian, envelope kind 1), srs_id 4326 = 0x10E6,
        // then minx, maxx, miny, maxy.
        let expected: [UInt8] =
            [0x47, 0x50, 0x00, 0x03, 0xE6, 0x10, 0x00, 0x00] + Self.le1 + Self.le3 + Self.le2 + Self.le4 + [0xAA, 0xBB]
        #expect(g.encoded() == expected)
        #expect(
            GeoPackageBinary(srsID: 4326, envelope: nil, wkb: [0xAA]).encoded() == [
                0x47, 0x50, 0, 0x01, 0xE6, 0x10, 0, 0, 0xAA,
            ])
        #expect(try GeoPackageBinary.decode(expected) == g)
    }

    @Test func bigEndianHeaderIsDecoded() throws {
        // flags 0b010: big-endian header, envelope kind 1; srs_id 28992 = 0x00007160.
        let be = { (le: [UInt8]) in Array(le.reversed()) }
        let blob: [UInt8] =
            [0x47, 0x50, 0x00, 0x02, 0x00, 0x00, 0x71, 0x40] + be(Self.le1) + be(Self.le3) + be(Self.le2)
            + be(Self.le4) + [0x01]
        let g = try GeoPackageBinary.decode(blob)
        #expect(g.srsID == 0x7140)
        #expect(g.envelope == Envelope(minX: 1, minY: 2, maxX: 3, maxY: 4))
        #expect(g.wkb == [0x01] && !g.isEmpty)
        // Envelope kind 2 (x/y/z): 6 doubles are skipped before the WKB.
        let xyz: [UInt8] = [0x47, 0x50, 0x00, 0x05, 0xE6, 0x10, 0, 0] + Array(repeating: 0, count: 48) + [0x07]
        #expect(try GeoPackageBinary.decode(xyz).wkb == [0x07])
        // Empty flag (bit 4).
        #expect(try GeoPackageBinary.decode([0x47, 0x50, 0x00, 0x11, 0xE6, 0x10, 0, 0, 1]).isEmpty)
    }

    @Test(
        arguments: [
            ([0x47, 0x50, 0x00], "shorter than the 8-byte"),
            ([0x00, 0x01, 0x00, 0x03, 0, 0, 0, 0, 0], "magic 'GP' (47 50) but with 00 01"),
            ([0x47, 0x50, 0x01, 0x01, 0, 0, 0, 0, 0], "version 1"),
            ([0x47, 0x50, 0x00, 0x21, 0, 0, 0, 0, 0], "extended GeoPackage geometry"),
            ([0x47, 0x50, 0x00, 0x0B, 0, 0, 0, 0, 0], "indicator 5"),
            ([0x47, 0x50, 0x00, 0x41, 0, 0, 0, 0, 0], "reserved flag bits"),
            ([0x47, 0x50, 0x00, 0x03, 0, 0, 0, 0, 0], "shorter than its 40-byte header"),
        ] as [([UInt8], String)])
    func badBlobsAreRefusedWithTheReason(blob: [UInt8], reason: String) {
        #expect {
            _ = try GeoPackageBinary.decode(blob)
        } throws: { error in
            ((error as? GeoPackageBinary.DecodingError)?.reason ?? "").contains(reason)
        }
    }

    @Test func handWrittenPointWKBIsWhatGEOSWritesAndReads() throws {
        try withCheckedContext { context in
            for (x, y) in [(5.123456789012345, 52.987654321098765), (-0.0, 1e-300), (180, -90)] {
                let wkb = GeoPackageBinary.pointWKB(x: x, y: y)
                #expect(wkb == (try context.makePoint(x: x, y: y).toWKB()))
                let back = try context.readWKB(wkb)
                #expect(try back.typeID == .point)
                #expect(try back.pointXY() == XY(x, y))
            }
        }
    }

    @Test func polygonWKBRoundTripsThroughGEOS() throws {
        try withCheckedContext { context in
            let p = PlanarPolygon(
                shell: [XY(0.1, 0.2), XY(10.3, 0.2), XY(10.3, 10.7), XY(0.1, 10.7), XY(0.1, 0.2)],
                holes: [[XY(2, 2), XY(2, 3), XY(3, 3), XY(2, 2)]])
            let g = try context.makeMultiPolygon([
                p, PlanarPolygon(shell: [XY(20, 20), XY(21, 20), XY(21, 21), XY(20, 20)]),
            ])
            let wkb = try g.toWKB()
            // Little-endian ISO WKB: byte order 1, type 6 (MultiPolygon), 2 parts.
            #expect(Array(wkb.prefix(9)) == [0x01, 0x06, 0, 0, 0, 0x02, 0, 0, 0])
            let back = try context.readWKB(wkb)
            #expect(try back.polygons() == g.polygons())
            #expect(throws: GeoError.self) { try context.readWKB([0x01, 0x03, 0x00]) }
            #expect(throws: GeoError.self) { try context.readWKB([]) }
        }
    }
}
