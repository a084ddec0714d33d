import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import ProviderAdapters
import Participants
import Selection
import Synthetic
import TestSupport
import Testing

/// The JTS cases through the check's validity part, in their own planar coordinates.
struct JTSCase: Sendable, CustomTestStringConvertible {
    var number: Int
    var desc: String
    var wkt: String
    var valid: Bool
    var testDescription: String { "#\(number) \(desc)" }

    static let all: [JTSCase] = {
        guard
            let xml = try? String(
                contentsOf: Fixtures.url("GeoTests/Fixtures/validity/jts_TestValid.xml"), encoding: .utf8)
        else { return [] }
        return xml.components(separatedBy: "<case>").dropFirst().enumerated().compactMap { i, block in
            func between(_ a: String, _ b: String) -> String? {
                guard let o = block.range(of: a), let c = block.range(of: b, range: o.upperBound..<block.endIndex)
                else {
                    return nil
                }
                return String(block[o.upperBound..<c.lowerBound])
            }
            guard let desc = between("<desc>", "</desc>"), let wkt = between("<a>", "</a>"),
                let op = between("<op name=\"isValid\" arg1=\"A\">", "</op>")
            else { return nil }
            return JTSCase(
                number: i + 1, desc: desc.trimmingCharacters(in: .whitespacesAndNewlines),
                wkt: wkt.split(whereSeparator: \.isWhitespace).joined(separator: " "),
                valid: op.trimmingCharacters(in: .whitespacesAndNewlines) == "true")
        }
    }()
}


@Suite("area check (library)")
struct AreaCheckTests {
    @Test("all 87 JTS cases")
    func jtsCount() { #expect(JTSCase.all.count == 87) }

    @Test("validity verdict matches JTS", arguments: JTSCase.all)
    func jts(_ c: JTSCase) throws {
        let v = try AreaInspector().planarValidity(wkt: c.wkt)
        #expect(v.valid == c.valid)
        if !v.valid { #expect(v.reason?.isEmpty == false) }
    }

    func check(_ json: String, incidentType: String? = nil) throws -> AreaCheckReport {
        let inspector = try AreaInspector()
        let area = try AreaReader.parseGeoJSON(Data(json.utf8), name: "t.geojson")
        return try inspector.check(area, incidentType: incidentType, table: try TravelRadiusTable.load())
    }

    @Test("a clean counter-clockwise square is valid, with measures and NL")
    func clean() throws {
        let r = try check(geoJSONPolygon([utrecht]))
        #expect(r.verdict == .valid && r.exitStatus == 0 && r.findings.isEmpty)
        let m = try #require(r.measures)
        #expect(m.vertices == 4 && m.polygons == 1 && m.holes == 0)
        #expect(abs(m.areaKm2 - 102.93) < 0.1)
        #expect(abs(m.bboxLonLat.minLon - 5.05) < 1e-12 && abs(m.bboxLonLat.maxLat - 52.14) < 1e-12)
        #expect(m.bboxRd.minX > 130_000 && m.bboxRd.maxX < 145_000)
        #expect(r.countries == ["NL"])
        // Largely the city of Utrecht; all on municipal land, so the shares add up to 1.
        let crossed: [MunicipalityShare] = try #require(r.municipalities)
        #expect(crossed.first?.code == "GM0344" && crossed.first?.name == "Utrecht")
        #expect(crossed.contains { $0.name == "De Bilt" })
        #expect(abs(crossed.map { $0.share }.reduce(0, +) - 1) < 1e-6)
    }

    @Test("clockwise shell and counter-clockwise hole are warnings")
    func orientation() throws {
        let hole: [(Double, Double)] = [(5.10, 52.08), (5.12, 52.08), (5.12, 52.10), (5.10, 52.10), (5.10, 52.08)]
        let r = try check(geoJSONPolygon([utrecht.reversed(), hole]))
        #expect(r.verdict == .warnings && r.exitStatus == 1)
        #expect(r.findings.map(\.code) == ["shell-clockwise", "hole-counterclockwise"])
        #expect(r.findings[1].ring == 2)
    }

    @Test("vertices closer than 1 cm are duplicates; 5 cm apart are not")
    func duplicates() throws {
        var ring = utrecht
        ring.insert((5.20 + 1e-8, 52.05), at: 2)  // ~0.7 mm from (5.20, 52.05)
        let r = try check(geoJSONPolygon([ring]))
        #expect(r.findings.map(\.code) == ["duplicate-vertex"])
        #expect(r.findings[0].vertex == 2)
        #expect(r.findings[0].at?.rdX != nil)
        var apart = utrecht
        apart.insert((5.20 + 7e-7, 52.05), at: 2)  // ~5 cm
        #expect(try check(geoJSONPolygon([apart])).findings.isEmpty)
    }

    @Test("a spike is found at its tip")
    func spike() throws {
        let ring: [(Double, Double)] = [
            (5.05, 52.05), (5.20, 52.05), (5.20, 52.10), (5.30, 52.10), (5.20, 52.10005), (5.20, 52.14), (5.05, 52.14),
            (5.05, 52.05),
        ]
        let r = try check(geoJSONPolygon([ring]))
        #expect(r.findings.contains { $0.code == "spike" && $0.vertex == 3 })
        #expect(r.validity.valid)
    }

    @Test("swapped lat/lon is an error naming the swap")
    func swapped() throws {
        let r = try check(geoJSONPolygon([utrecht.map { ($0.1, $0.0) }]))
        #expect(r.verdict == .invalid && r.exitStatus == 2)
        #expect(r.findings.first?.code == "lat-lon-swapped")
        #expect(r.measures == nil)
    }

    @Test("RD metres given as degrees are recognised")
    func rdAsDegrees() throws {
        let ring: [(Double, Double)] = [
            (130000, 450000), (140000, 450000), (140000, 460000), (130000, 460000), (130000, 450000),
        ]
        let r = try check(geoJSONPolygon([ring]))
        #expect(r.findings.first?.code == "rd-as-degrees")
        #expect(r.findings.first?.message.contains("EPSG:28992") == true)
        #expect(r.exitStatus == 2)
    }

    @Test("an area far larger than the travel table suggests is a warning")
    func large() throws {
        // 1.0 × 0.6 degrees ≈ 4,500 km²; burglary's largest circle is 20 km: 4π·400 ≈ 5,027 km² → no;
        // missing-elderly's is 20 km too; a 1.6 × 0.9 square (≈ 10,700 km²) exceeds both.
        let big: [(Double, Double)] = [(4.5, 51.6), (6.1, 51.6), (6.1, 52.5), (4.5, 52.5), (4.5, 51.6)]
        let r = try check(geoJSONPolygon([big]), incidentType: "burglary")
        #expect(r.findings.map(\.code) == ["larger-than-usual"])
        #expect(try check(geoJSONPolygon([utrecht]), incidentType: "burglary").findings.isEmpty)
        #expect(throws: AreaToolError.self) { try check(geoJSONPolygon([utrecht]), incidentType: "nope") }
    }

    @Test("an area across the Baarle border crosses NL and BE")
    func countries() throws {
        let ring: [(Double, Double)] = [(4.90, 51.42), (4.96, 51.42), (4.96, 51.46), (4.90, 51.46), (4.90, 51.42)]
        #expect(try check(geoJSONPolygon([ring])).countries == ["NL", "BE"])
    }

    @Test("a bowtie is invalid with GEOS's reason and its location in lon/lat and RD")
    func bowtie() throws {
        let ring: [(Double, Double)] = [(5.05, 52.05), (5.20, 52.14), (5.20, 52.05), (5.05, 52.14), (5.05, 52.05)]
        let r = try check(geoJSONPolygon([ring]))
        #expect(r.verdict == .invalid)
        #expect(r.validity.reason == "Self-intersection")
        let at = try #require(r.validity.location)
        #expect(abs(at.x - 5.125) < 1e-9 && at.lon != nil && at.rdX != nil)
    }
}

@Suite("travel radius")
struct TravelRadiusTests {
    @Test("speed × time, capped")
    func suggest() throws {
        let t = try TravelRadiusTable.load()
        let s = try t.suggest(incidentType: "missing-child", mode: "bicycle", minutes: 20)
        #expect(s.radiusMeters == 4000 && !s.capped)
        let long = try t.suggest(incidentType: "missing-child", mode: "foot", minutes: 600)
        #expect(long.radiusMeters == 3000 && long.capped)
        #expect(throws: AreaToolError.self) { try t.suggest(incidentType: "missing-child", mode: "plane", minutes: 5) }
        #expect(throws: AreaToolError.self) { try t.suggest(incidentType: "missing-child", mode: "foot", minutes: 0) }
    }

    @Test("a bad table names file and line")
    func badTable() {
        let text = "incident_type,mode,speed_kmh,cap_m\nx,foot,fast,100\n"
        #expect { try TravelRadiusTable.parse(text, source: "t.csv") } throws: { e in
            "\(e)".hasPrefix("t.csv:2: speed_kmh")
        }
    }

    @Test("a NUL byte in the table is refused, not cut off")
    func nulByte() {
        // Double("4\u{0}.5") is 4: the speed would silently change.
        let text = "incident_type,mode,speed_kmh,cap_m\nx,foot,4\u{0}.5,100\n"
        #expect { try TravelRadiusTable.parse(text, source: "t.csv") } throws: { e in
            "\(e)".hasPrefix("t.csv:2: column 9 is a NUL byte")
        }
    }
}
