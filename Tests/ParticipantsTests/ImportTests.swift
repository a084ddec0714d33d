import Foundation
import GRDB
import TestSupport
import Testing

@testable import Geo
@testable import Participants

/// A fresh registry in a temporary directory, plus a helper to write CSV files beside it.
struct Scratch {
    let dir: URL
    let registry: Registry

    init() throws {
        dir = try Fixtures.temporaryDirectory("registry")
        registry = try Registry.open(at: dir.appendingPathComponent("r.sqlite").path)
    }

    func csv(_ text: String, name: String = "p.csv") throws -> URL {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Imports `text` expecting failure; returns the message.
    func failingImport(_ text: String, options: ImportOptions = ImportOptions()) throws -> String {
        let url = try csv(text)
        do {
            _ = try registry.importCSV(url, options: options)
        } catch let e as RegistryError {
            return e.message
        } catch let e as GeoError {
            return e.message
        }
        Issue.record("import of bad input succeeded")
        return ""
    }
}

@Suite struct ImportTests {
    @Test func importsRowsAndTransformsToRD() throws {
        let s = try Scratch()
        let report = try s.registry.importCSV(
            try s.csv(
                "id,lon,lat,country,phone,email,language\n7,4.8930,52.3731,nl,+31 6 1234 5678,a@example.nl,NL\n3,5.1214,52.0908,,,,\n"
            ))
        // Row 3 has no country: it is derived from the position (Utrecht, NL).
        #expect(report == ImportReport(rows: 2, inserted: 2, updated: 0, ignoredColumns: [], countriesDerived: 1))
        #expect(try s.registry.count() == 2)
        let p = try #require(try s.registry.participant(id: 7))
        #expect(p.country == .nl && p.language?.code == "nl")
        #expect(p.phone?.text == "+31 6 1234 5678" && p.email?.text == "a@example.nl")
        #expect(p.lonLat == LonLat(lon: 4.8930, lat: 52.3731))
        // Dam square in RD New is about (121 400, 487 400) (PDOK); within a few metres.
        #expect(abs(p.rd.x - 121_400) < 150 && abs(p.rd.y - 487_400) < 150)
        let q = try #require(try s.registry.participant(id: 3))
        #expect(q.country == .nl && q.phone == nil && q.email == nil)
        let cols = try s.registry.loadColumns()
        #expect(cols.ids == [3, 7])
        #expect(cols.countries == [CountryCode.nl.packed, CountryCode.nl.packed])
    }

    @Test func reimportUpdatesAndKeepsColumnsTheFileLacks() throws {
        let s = try Scratch()
        _ = try s.registry.importCSV(try s.csv("id,lon,lat,phone\n1,4.9,52.3,0612345678\n2,5.0,52.1,0687654321\n"))
        let report = try s.registry.importCSV(
            try s.csv("id,lon,lat,country\n2,5.1,52.2,NL\n9,4.0,51.9,NL\n", name: "b.csv"))
        #expect(report.inserted == 1 && report.updated == 1)
        let p = try #require(try s.registry.participant(id: 2))
        #expect(p.lonLat == LonLat(lon: 5.1, lat: 52.2))
        #expect(p.country == .nl)
        #expect(p.phone?.text == "0687654321")  // not in the second file: kept
        #expect(try s.registry.count() == 3)
    }

    @Test func rdInputIsStoredExactlyAndGetsLonLat() throws {
        let s = try Scratch()
        _ = try s.registry.importCSV(
            try s.csv("id,x,y\n1,155000,463000\n"), options: ImportOptions(crs: .rdNew))
        let p = try #require(try s.registry.participant(id: 1))
        #expect(p.rd == RDPoint(x: 155_000, y: 463_000))
        #expect(p.position.crs == .rdNew)
        // Amersfoort, the RD origin: 5.38720621 E, 52.15517440 N (Bessel; ~1e-5 deg from WGS84).
        #expect(abs(p.lonLat.lon - 5.3872) < 0.0015 && abs(p.lonLat.lat - 52.1552) < 0.0015)
    }

    @Test func unknownColumnsAreReportedOnce() throws {
        let s = try Scratch()
        let r = try s.registry.importCSV(try s.csv("id,lon,lat,shoe_size,Remark\n1,4.9,52.3,44,x\n"))
        #expect(r.ignoredColumns == ["shoe_size", "remark"])
    }

    @Test func quotedFieldsAndCRLF() throws {
        let s = try Scratch()
        _ = try s.registry.importCSV(
            try s.csv("id,lon,lat,channels,quiet_hours\r\n1,4.9,52.3,\"sms, voice\",23:00-07:00\r\n\r\n"))
        let p = try #require(try s.registry.participant(id: 1))
        #expect(p.channels?.channels == [.sms, .voice] && p.quietHours?.description == "23:00-07:00")
    }

    @Test(arguments: [
        ("id,lat\n1,52\n", "p.csv:1: missing required column 'lon'"),
        ("lon,lat\n4.9,52\n", "p.csv:1: missing required column 'id'"),
        ("id,lon,lat\n1,4.9,abc\n", "p.csv:2: field 'lat': 'abc' is not a number"),
        ("id,lon,lat\n1,4.9,\n", "p.csv:2: field 'lat': '' is not a number (empty)"),
        ("id,lon,lat\nx1,4.9,52\n", "p.csv:2: field 'id': 'x1' is not a positive integer"),
        ("id,lon,lat\n1,52.37,4.89\n", "latitude and longitude look swapped"),
        ("id,lon,lat\n1,4.9,95\n", "lat 95.0 is out of range"),
        ("id,lon,lat\n1,-3.7,40.4\n", "outside the service region"),
        ("id,lon,lat\n1,121000,487000\n", "look like projected metres"),
        ("id,lon,lat\n1,4.9,52.3\n2,5.0,52.0\n1,5.1,52.1\n", "p.csv:4: field 'id': 1 appears more than once"),
        ("", "p.csv: empty file"),
        ("id,lon,lat\n", "p.csv: no data rows"),
        ("id,lon,lat\n1,4.9\n", "p.csv:2: 2 fields, the header has 3"),
        ("id,lon,lat,country\n1,4.9,52.3,Netherlands\n", "field 'country': 'Netherlands' is not an ISO 3166-1"),
        ("id,lon,lat\n1,4.9,\"52.3\n", "quoted field is not closed"),
        ("id,x,y\n1,155000,463000\n", "columns x,y need a CRS (ImportOptions.crs)"),
        ("id,lon,lon,lat\n1,2,3,4\n", "column 'lon' appears twice"),
        ("id,lon,lat,channels\n1,4.9,52.3,pigeon\n", "'pigeon' is not a channel"),
        ("id,lon,lat,country\n1,4.9,52.3,XX\n", "field 'country': 'XX' is not an ISO 3166-1 alpha-2 code"),
        ("id,lon,lat,country\n1,4.9,52.3,UK\n", "field 'country': 'UK' is not an ISO 3166-1 alpha-2 code"),
        ("id,x,y,crs\n1,1,2,EPSG:999999\n", "p.csv:2: field 'crs': EPSG:999999 is not a coordinate reference system"),
        (
            "id,x,y,crs\n1,1,2,Amersfoort\n",
            "p.csv:2: field 'crs': 'Amersfoort' is not a CRS name (EPSG:NNNN, urn:ogc:def:crs:EPSG::NNNN"
        ),
        ("id,x,y,crs\n1,121000,487000,EPSG:25832\n", "these look like EPSG:28992 coordinates"),
        ("id,x,y,crs\n1,5.69,50.85,EPSG:28992\n", "these look like lon/lat degrees"),
    ])
    func badInputIsRefusedWithLineAndField(input: String, expected: String) throws {
        let s = try Scratch()
        _ = try s.registry.importCSV(try s.csv("id,lon,lat\n100,4.9,52.3\n", name: "seed.csv"))
        let message = try s.failingImport(input)
        #expect(message.contains(expected), "\(message)")
        #expect(try s.registry.count() == 1, "a failed import must leave the registry as it was")
    }

    @Test func personalDataNeverAppearsInErrors() throws {
        let s = try Scratch()
        let m1 = try s.failingImport("id,lon,lat,phone\n1,4.9,52.3,call-me-secret\n")
        #expect(m1.contains("field 'phone'") && !m1.contains("secret"))
        let m2 = try s.failingImport("id,lon,lat,email\n1,4.9,52.3,secret.person.at.home\n")
        #expect(m2.contains("field 'email'") && !m2.contains("secret"))
    }

    @Test func severalErrorsAreListedTogether() throws {
        let s = try Scratch()
        let m = try s.failingImport("id,lon,lat\n1,4.9,x\n2,4.9,52\n3,y,52\n4,52.3,4.9\n")
        #expect(m.contains("p.csv:2:") && m.contains("p.csv:4:") && m.contains("p.csv:5:"))
        #expect(!m.contains("p.csv:3:"))
    }

    @Test func projectedSwapIsDetected() throws {
        let s = try Scratch()
        let m = try s.failingImport("id,x,y\n1,463000,155000\n", options: ImportOptions(crs: .rdNew))
        #expect(m.contains("x and y look swapped"), "\(m)")
    }

    @Test func eachRowMayNameItsOwnCRS() throws {
        let s = try Scratch()
        // The same place (Vaals town hall area) in four CRSs, plus a row in the file's default (WGS84).
        let converter = try CoordinateConverter()
        let lonLat = (6.0189, 50.7706)
        var rows = "id,x,y,crs,country\n"
        for (id, epsg) in [(1, 4326), (2, 28992), (3, 31370), (4, 3812), (5, 25832)] {
            let rd = try converter.toRD(LonLat(lon: lonLat.0, lat: lonLat.1))
            let p =
                switch epsg {
                case 4326: (x: lonLat.0, y: lonLat.1)
                case 28992: (x: rd.x, y: rd.y)  // through the RDNAPTRANS2018 grid, as the engine does
                default:
                    try converter.transformer(from: .wgs84, to: CRS(epsg: epsg)).transform(x: lonLat.0, y: lonLat.1)
                }
            rows += "\(id),\(p.x),\(p.y),EPSG:\(epsg),NL\n"
        }
        rows += "6,\(lonLat.0),\(lonLat.1),,NL\n"
        let report = try s.registry.importCSV(try s.csv(rows))
        #expect(report.rows == 6 && report.uncorrected == 0)
        let reference = try #require(try s.registry.participant(id: 1))
        for id in Int64(2)...6 {
            let p = try #require(try s.registry.participant(id: id))
            #expect(
                p.rd.distance(to: reference.rd) < 0.01,
                "row \(id) (\(p.position.crs)) lands \(p.rd.distance(to: reference.rd)) m away")
            #expect(abs(p.lonLat.lon - lonLat.0) < 1e-6 && abs(p.lonLat.lat - lonLat.1) < 1e-6)
        }
        #expect(try s.registry.participant(id: 3)?.position.crs == CRS(epsg: 31370))
        #expect(try s.registry.participant(id: 6)?.position.crs == .wgs84)
    }

    @Test func unknownEPSGIsRefused() throws {
        let s = try Scratch()
        let m = try s.failingImport("id,x,y\n1,1,2\n", options: ImportOptions(crs: CRS(epsg: 999_999)))
        #expect(m.contains("EPSG:999999 is not a coordinate reference system PROJ knows"), "\(m)")
    }

    @Test func largeImportStreamsInBatches() throws {
        let s = try Scratch()
        var text = "id,lon,lat\n"
        for i in 1...20_000 {
            text += "\(i * 7 % 20_011),\(4.0 + Double(i % 1000) / 1000),\(52.0 + Double(i % 997) / 1000)\n"
        }
        var calls = 0
        let r = try s.registry.importCSV(try s.csv(text), options: ImportOptions(batchSize: 1000)) { _ in calls += 1 }
        #expect(r.rows == 20_000 && r.inserted == 20_000)
        #expect(calls >= 20)
        #expect(try s.registry.count() == 20_000)
    }
}

@Suite struct OpenTests {
    @Test func refusesAFileThatIsNotSQLite() throws {
        let dir = try Fixtures.temporaryDirectory()
        let path = dir.appendingPathComponent("x.sqlite").path
        try String(repeating: "not a database at all\n", count: 100).write(
            toFile: path, atomically: true, encoding: .utf8)
        #expect { try Registry.open(at: path) } throws: { e in
            (e as? RegistryError)?.code == .notADatabase && "\(e)".contains("not an SQLite database")
        }
    }

    @Test func refusesAnotherApplicationsDatabase() throws {
        let dir = try Fixtures.temporaryDirectory()
        let path = dir.appendingPathComponent("x.sqlite").path
        try DatabaseQueue(path: path).write { try $0.execute(sql: "CREATE TABLE invoices (id INTEGER)") }
        #expect { try Registry.open(at: path) } throws: { e in
            (e as? RegistryError)?.code == .foreignSchema && "\(e)".contains("invoices")
        }
    }

    @Test func refusesANewerSchema() throws {
        let dir = try Fixtures.temporaryDirectory()
        let path = dir.appendingPathComponent("x.sqlite").path
        _ = try Registry.open(at: path)
        try DatabaseQueue(path: path).write {
            try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')")
        }
        #expect { try Registry.open(at: path) } throws: { e in
            (e as? RegistryError)?.code == .newerSchema
        }
    }

    @Test func reopensItsOwnRegistry() throws {
        let dir = try Fixtures.temporaryDirectory()
        let path = dir.appendingPathComponent("x.sqlite").path
        let csv = dir.appendingPathComponent("p.csv")
        try "id,lon,lat\n1,4.9,52.3\n".write(to: csv, atomically: true, encoding: .utf8)
        _ = try Registry.open(at: path).importCSV(csv)
        #expect(try Registry.open(at: path).count() == 1)
    }
}

/// Participant CSV as office and GIS tools write it: a byte-order mark, CRS names as URNs or URLs.
@Suite struct ImportRealToolTests {
    @Test func aByteOrderMarkBeforeTheHeaderIsSkipped() throws {
        let s = try Scratch()
        let url = s.dir.appendingPathComponent("bom.csv")
        try (Data([0xEF, 0xBB, 0xBF]) + Data("id,lon,lat,country\n7,4.8930,52.3731,NL\n".utf8)).write(to: url)
        let report = try s.registry.importCSV(url)
        #expect(report.rows == 1 && report.ignoredColumns.isEmpty)
        #expect(try s.registry.participant(id: 7)?.lonLat == LonLat(lon: 4.8930, lat: 52.3731))
        // A file that is only the mark is an empty file, refused as such (it crashed the reader once).
        let only = s.dir.appendingPathComponent("only-bom.csv")
        try Data([0xEF, 0xBB, 0xBF]).write(to: only)
        #expect(throws: RegistryError.self) { try s.registry.importCSV(only) }
    }

    @Test func theCRSColumnTakesURNsAndURLs() throws {
        let s = try Scratch()
        let rows = """
            id,x,y,crs,country
            1,121400,487400,urn:ogc:def:crs:EPSG::28992,NL
            2,121400,487400,http://www.opengis.net/def/crs/EPSG/0/28992,NL
            3,4.8930,52.3731,urn:ogc:def:crs:OGC:1.3:CRS84,NL

            """
        #expect(try s.registry.importCSV(try s.csv(rows)).rows == 3)
        #expect(try s.registry.participant(id: 1)?.position.crs == .rdNew)
        #expect(try s.registry.participant(id: 2)?.position.crs == .rdNew)
        #expect(try s.registry.participant(id: 3)?.position.crs == .wgs84)
    }
}
