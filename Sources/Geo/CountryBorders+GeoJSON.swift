// MARK: - Reading the borders file

/// One feature of the borders file: a country and its polygons' lon/lat coordinates, flat.
struct BordersFeature {
    /// `properties.country` (for the municipalities file, the member named by the reader's `key`).
    var country: String
    /// Every string-valued member of `properties`.
    var strings: [String: String] = [:]
    /// Every position's longitude, polygon by polygon, ring by ring.
    var lons: [Double] = []
    /// Every position's latitude, in the same order.
    var lats: [Double] = []
    /// The number of positions of each ring, in order.
    var ringSizes: [Int] = []
    /// The number of rings of each polygon (shell plus holes), in order.
    var polygonRingCounts: [Int] = []
}

extension BordersFeature {
    /// Transforms the lon/lat positions to RD New in one batch and rebuilds the polygons.
    ///
    /// - Returns: The polygons in RD New metres and their bounding box.
    /// - Throws: ``GeoError`` `.invalidGeometry` naming the polygon and ring when a ring has fewer
    ///   than 4 positions or is not closed; `.proj` when a position cannot be transformed.
    func polygonsInRD(converter: CoordinateConverter) throws -> (polygons: [PlanarPolygon], envelope: Envelope) {
        try checkRings()
        var xs = lons
        var ys = lats
        try converter.toRD(xs: &xs, ys: &ys, from: .wgs84)
        var envelope = Envelope(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)
        for k in xs.indices {
            envelope.minX = min(envelope.minX, xs[k])
            envelope.minY = min(envelope.minY, ys[k])
            envelope.maxX = max(envelope.maxX, xs[k])
            envelope.maxY = max(envelope.maxY, ys[k])
        }
        var polygons: [PlanarPolygon] = []
        polygons.reserveCapacity(polygonRingCounts.count)
        var ring = 0
        var k = 0
        for ringCount in polygonRingCounts {
            var rings: [[XY]] = []
            rings.reserveCapacity(ringCount)
            for _ in 0..<ringCount {
                let n = ringSizes[ring]
                rings.append((k..<k + n).map { XY(xs[$0], ys[$0]) })
                k += n
                ring += 1
            }
            polygons.append(PlanarPolygon(shell: rings[0], holes: Array(rings.dropFirst())))
        }
        return (polygons, envelope)
    }
}

extension BordersFeature {
    /// Checks that every ring has at least 4 positions and ends where it starts (as RFC 7946 and
    /// GEOS want), before anything is transformed or built.
    func checkRings() throws {
        var ring = 0
        var k = 0
        for (p, ringCount) in polygonRingCounts.enumerated() {
            for r in 0..<ringCount {
                let n = ringSizes[ring]
                let place = "polygon \(p + 1), ring \(r + 1)"
                guard n >= 4 else {
                    throw GeoError(.invalidGeometry, "\(place): \(n) positions; a ring needs at least 4")
                }
                guard lons[k] == lons[k + n - 1], lats[k] == lats[k + n - 1] else {
                    throw GeoError(.invalidGeometry, "\(place): not closed (the last position must equal the first)")
                }
                k += n
                ring += 1
            }
        }
    }
}

/// A small single-pass reader for the borders GeoJSON: a `FeatureCollection` whose features have
/// `properties.country` and a `Polygon` or `MultiPolygon` geometry; other members are skipped.
///
/// It exists for speed: `JSONDecoder` needs about 180 ms (release build) for the 2.4 MB file's
/// 230,000 numbers, because every number and position goes through a generic decoding container;
/// this reader writes the coordinates straight into flat arrays in about a tenth of that, and every
/// import loads the file. Numbers with at most 15 significant digits and no exponent (all of the
/// file's) are converted exactly (an integer divided by a power of ten, both exact in `Double`, is
/// correctly rounded); others go through `Double(_:)`.
struct BordersGeoJSONReader {
    private let bytes: [UInt8]
    private var i = 0
    /// How many arrays and objects enclose the reading position.
    private var depth = 0
    /// The deepest nesting read; deeper input is refused rather than recursed into (a
    /// MultiPolygon's positions are 6 deep in the file).
    static let maxDepth = 64
    /// The member of `properties` every feature must have (its value goes to `country`).
    private let key: String

    init(_ bytes: [UInt8], key: String = "country") {
        self.bytes = bytes
        self.key = key
    }

    /// Reads the whole document.
    ///
    /// - Throws: ``BordersGeoJSONReader/Failure`` with the byte offset and what was expected.
    mutating func features() throws(Failure) -> [BordersFeature] {
        var features: [BordersFeature] = []
        var type: String?
        try object { key, reader throws(Failure) in
            switch key {
            case "type": type = try reader.string()
            case "features":
                try reader.array { reader throws(Failure) in features.append(try reader.feature()) }
            default: try reader.skipValue()
            }
        }
        skipSpace()
        guard i == bytes.count else { throw fail("end of the document") }
        guard type == "FeatureCollection" else {
            throw Failure(offset: 0, message: "a \(type ?? "document without a type"), expected a FeatureCollection")
        }
        return features
    }

    /// Why the file could not be read, and where.
    struct Failure: Error {
        /// Byte offset in the file.
        var offset: Int
        /// What was expected or wrong.
        var message: String
    }

    // MARK: - Features

    private mutating func feature() throws(Failure) -> BordersFeature {
        var country: String?
        var geometryType: String?
        var coordinates = BordersFeature(country: "")
        var depth = 0
        try object { key, reader throws(Failure) in
            switch key {
            case "properties":
                try reader.object { name, reader throws(Failure) in
                    reader.skipSpace()
                    guard reader.peek == UInt8(ascii: "\"") else { return try reader.skipValue() }
                    let value = try reader.string()
                    coordinates.strings[name] = value
                    if name == reader.key { country = value }
                }
            case "geometry":
                try reader.object { key, reader throws(Failure) in
                    switch key {
                    case "type": geometryType = try reader.string()
                    case "coordinates": depth = try reader.nestedPositions(into: &coordinates)
                    default: try reader.skipValue()
                    }
                }
            default: try reader.skipValue()
            }
        }
        guard let country else { throw fail("a feature with properties.\(key)", at: i) }
        switch (geometryType, depth) {
        case ("Polygon", 3), ("MultiPolygon", 4): break
        default:
            throw fail(
                "a Polygon (coordinates nested 3 deep) or MultiPolygon (4 deep); feature \(country) has "
                    + "\(geometryType ?? "no geometry type") nested \(depth) deep", at: i)
        }
        coordinates.country = country
        return coordinates
    }

    /// Reads a nested array of positions into `into`; returns its depth (1 for a position).
    private mutating func nestedPositions(into f: inout BordersFeature) throws(Failure) -> Int {
        skipSpace()
        guard peek == UInt8(ascii: "[") else { throw fail("an array of coordinates") }
        try enter()
        defer { depth -= 1 }
        i += 1
        skipSpace()
        if let c = peek, c == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) {
            // A position: two or more numbers, of which x and y are kept.
            let x = try number()
            try expect(UInt8(ascii: ","))
            let y = try number()
            skipSpace()
            while peek == UInt8(ascii: ",") {
                i += 1
                _ = try number()
                skipSpace()
            }
            try expect(UInt8(ascii: "]"))
            f.lons.append(x)
            f.lats.append(y)
            return 1
        }
        var childDepth = 0
        var count = 0
        while true {
            let d = try nestedPositions(into: &f)
            guard count == 0 || d == childDepth else { throw fail("arrays nested to the same depth") }
            childDepth = d
            count += 1
            skipSpace()
            if peek == UInt8(ascii: ",") {
                i += 1
                continue
            }
            try expect(UInt8(ascii: "]"))
            break
        }
        switch childDepth {
        case 1: f.ringSizes.append(count)  // this array is a ring
        case 2: f.polygonRingCounts.append(count)  // this array is a polygon
        default: break  // a multipolygon
        }
        return childDepth + 1
    }

    // MARK: - JSON

    private var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private func fail(_ expected: String, at offset: Int? = nil) -> Failure {
        Failure(offset: offset ?? i, message: "expected \(expected)")
    }

    private mutating func expect(_ c: UInt8) throws(Failure) {
        skipSpace()
        guard peek == c else { throw fail("'\(Character(Unicode.Scalar(c)))'") }
        i += 1
    }

    /// Reads an object, calling `member` with each key; `member` must read the value.
    /// Counts one more level of nesting; refuses a level beyond ``maxDepth``.
    private mutating func enter() throws(Failure) {
        depth += 1
        guard depth <= Self.maxDepth else {
            throw Failure(offset: i, message: "arrays or objects nested deeper than \(Self.maxDepth)")
        }
    }

    private mutating func object(_ member: (String, inout Self) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "{"))
        try enter()
        defer { depth -= 1 }
        skipSpace()
        if peek == UInt8(ascii: "}") {
            i += 1
            return
        }
        while true {
            let key = try string()
            try expect(UInt8(ascii: ":"))
            try member(key, &self)
            skipSpace()
            if peek == UInt8(ascii: ",") {
                i += 1
                continue
            }
            try expect(UInt8(ascii: "}"))
            return
        }
    }

    /// Reads an array, calling `element` for each element; `element` must read it.
    private mutating func array(_ element: (inout Self) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "["))
        try enter()
        defer { depth -= 1 }
        skipSpace()
        if peek == UInt8(ascii: "]") {
            i += 1
            return
        }
        while true {
            try element(&self)
            skipSpace()
            if peek == UInt8(ascii: ",") {
                i += 1
                continue
            }
            try expect(UInt8(ascii: "]"))
            return
        }
    }

    /// Reads a string (escapes `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX`).
    private mutating func string() throws(Failure) -> String {
        try expect(UInt8(ascii: "\""))
        var out: [UInt8] = []
        while let c = peek {
            i += 1
            switch c {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let e = peek else { break }
                i += 1
                switch e {
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard i + 4 <= bytes.count,
                        let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16)
                    else { throw fail("four hex digits after \\u") }
                    i += 4
                    out += Array(String(Character(Unicode.Scalar(v) ?? "\u{FFFD}")).utf8)
                default: out.append(e)
                }
            default:
                out.append(c)
            }
        }
        throw fail("the end of a string")
    }

    /// Reads a number.
    private mutating func number() throws(Failure) -> Double {
        skipSpace()
        let start = i
        var negative = false
        if peek == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var inFraction = false
        var simple = true
        while let c = peek {
            if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(c - UInt8(ascii: "0")) }
                if mantissa != 0 || inFraction { digits += 1 }
                if inFraction { fractionDigits += 1 }
                i += 1
            } else if c == UInt8(ascii: "."), !inFraction {
                inFraction = true
                i += 1
            } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || c == UInt8(ascii: "+")
                || (c == UInt8(ascii: "-") && i > start)
            {
                simple = false
                i += 1
            } else {
                break
            }
        }
        guard i > start + (negative ? 1 : 0) else { throw fail("a number") }
        if simple && digits <= 15 && fractionDigits <= 22 {
            let value = Double(mantissa) / Self.powersOfTen[fractionDigits]
            return negative ? -value : value
        }
        // JSON has no infinity: a number too large for a Double (1e309) is refused, not made infinite.
        guard let value = Double(String(decoding: bytes[start..<i], as: UTF8.self)), value.isFinite else {
            throw fail("a finite number", at: start)
        }
        return value
    }

    /// 1e0 … 1e22, all exact in `Double`.
    private static let powersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { r, _ in r * 10 } }

    /// Skips any JSON value.
    private mutating func skipValue() throws(Failure) {
        skipSpace()
        switch peek {
        case UInt8(ascii: "{"): try object { _, reader throws(Failure) in try reader.skipValue() }
        case UInt8(ascii: "["): try array { reader throws(Failure) in try reader.skipValue() }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            while let c = peek, c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") { i += 1 }
        default: _ = try number()
        }
    }
}
