import Foundation
import Geo

/// The standard GeoPackage binary geometry encoding (OGC 12-128r18, clause 2.1.3): a header
/// (`GP`, version 0, flags, srs_id, envelope) followed by ISO WKB.
///
/// Flags byte: bit 0 the header's byte order (1 = little-endian), bits 1–3 the envelope kind
/// (0 none, 1 x/y, 2 x/y/z, 3 x/y/m, 4 x/y/z/m), bit 4 the empty-geometry flag, bit 5 the
/// extended-geometry flag (`X`, not supported here), bits 6–7 reserved (0).
public struct GeoPackageBinary: Sendable, Equatable {
    /// The `srs_id` stored in the header.
    public var srsID: Int32
    /// The x/y part of the envelope, if the header has one (the z and m ranges are skipped).
    public var envelope: Envelope?
    /// Whether the empty-geometry flag is set.
    public var isEmpty: Bool
    /// The WKB that follows the header.
    public var wkb: [UInt8]

    /// Creates a geometry value.
    public init(srsID: Int32, envelope: Envelope?, isEmpty: Bool = false, wkb: [UInt8]) {
        self.srsID = srsID
        self.envelope = envelope
        self.isEmpty = isEmpty
        self.wkb = wkb
    }

    /// Encodes as a little-endian header (flags `0x03` with an x/y envelope, `0x01` without),
    /// then the WKB.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = [0x47, 0x50, 0x00]  // 'G' 'P', version 0
        var flags: UInt8 = 0x01  // little-endian header
        if envelope != nil { flags |= 0x01 << 1 }  // envelope kind 1: [minx, maxx, miny, maxy]
        if isEmpty { flags |= 0x10 }
        out.append(flags)
        withUnsafeBytes(of: srsID.littleEndian) { out.append(contentsOf: $0) }
        if let e = envelope {
            for v in [e.minX, e.maxX, e.minY, e.maxY] {
                withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        out.append(contentsOf: wkb)
        return out
    }

    /// Why a blob is not a GeoPackage geometry.
    public struct DecodingError: Error, Sendable, Equatable {
        /// What is wrong, for a person.
        public var reason: String
    }

    /// Decodes a GeoPackage geometry blob.
    ///
    /// - Throws: ``DecodingError`` for a blob that is too short, lacks the `GP` magic, has
    ///   another version, an envelope kind above 4, the extended-geometry flag or reserved bits.
    public static func decode(_ blob: [UInt8]) throws(DecodingError) -> GeoPackageBinary {
        guard blob.count >= 8 else {
            throw DecodingError(reason: "\(blob.count) bytes, shorter than the 8-byte GeoPackage geometry header")
        }
        guard blob[0] == 0x47, blob[1] == 0x50 else {
            let hex = blob.prefix(2).map { String(format: "%02X", $0) }.joined(separator: " ")
            throw DecodingError(reason: "does not start with the GeoPackage magic 'GP' (47 50) but with \(hex)")
        }
        guard blob[2] == 0 else {
            throw DecodingError(reason: "GeoPackage geometry version \(blob[2]); only version 0 (1.0–1.4) is known")
        }
        let flags = blob[3]
        guard flags & 0xC0 == 0 else {
            throw DecodingError(reason: "reserved flag bits are set (flags 0x\(hex(flags)))")
        }
        guard flags & 0x20 == 0 else {
            throw DecodingError(reason: "an extended GeoPackage geometry (flag X); only standard geometries are read")
        }
        let littleEndian = flags & 0x01 == 1
        let envelopeKind = Int((flags >> 1) & 0x07)
        let doubles = [0, 4, 6, 6, 8]
        guard envelopeKind < doubles.count else {
            throw DecodingError(reason: "envelope contents indicator \(envelopeKind) is not 0…4")
        }
        let headerBytes = 8 + 8 * doubles[envelopeKind]
        guard blob.count >= headerBytes else {
            throw DecodingError(reason: "\(blob.count) bytes, shorter than its \(headerBytes)-byte header")
        }
        func u32(_ at: Int) -> UInt32 {
            let raw = blob[at..<(at + 4)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            return littleEndian ? raw : raw.byteSwapped
        }
        func f64(_ at: Int) -> Double {
            let raw = blob[at..<(at + 8)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return Double(bitPattern: littleEndian ? raw : raw.byteSwapped)
        }
        let srsID = Int32(bitPattern: u32(4))
        let envelope =
            envelopeKind == 0 ? nil : Envelope(minX: f64(8), minY: f64(24), maxX: f64(16), maxY: f64(32))
        return GeoPackageBinary(
            srsID: srsID, envelope: envelope, isEmpty: flags & 0x10 != 0, wkb: Array(blob[headerBytes...]))
    }

    private static func hex(_ b: UInt8) -> String { String(format: "%02X", b) }

    /// The name of a curved ISO WKB type (CircularString … Surface, with or without Z/M), or `nil`
    /// for any other WKB (GEOS 3.11 reads no curves).
    public static func curveTypeName(wkb: [UInt8]) -> String? {
        guard wkb.count >= 5, wkb[0] <= 1 else { return nil }
        let raw = wkb[1..<5].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let type = (wkb[0] == 1 ? raw : raw.byteSwapped) % 1000
        let names: [UInt32: String] = [
            8: "CircularString", 9: "CompoundCurve", 10: "CurvePolygon", 11: "MultiCurve", 12: "MultiSurface",
            13: "Curve", 14: "Surface",
        ]
        return names[type]
    }

    /// The 21-byte little-endian ISO WKB of a two-dimensional point (byte order 1, type 1, x, y).
    ///
    /// Written by hand for the participant layer, where a GEOS geometry per point would cost
    /// more than the rest of the export; `GeoPackageTests` checks it against GEOS's WKB reader.
    public static func pointWKB(x: Double, y: Double) -> [UInt8] {
        var out: [UInt8] = [0x01, 0x01, 0x00, 0x00, 0x00]
        out.reserveCapacity(21)
        withUnsafeBytes(of: x.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: y.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        return out
    }
}
