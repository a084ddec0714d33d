import FanOut
import FanoutAreaTools
import FanoutCore
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection
import Synthetic
import TestSupport
import Testing

/// Every public error type adopts ``FanoutError``: stable, unique codes listed in the manual, a
/// message that is `localizedDescription`, and the input's file, line and field where there is one.
@Suite struct FanoutErrorTests {
    /// Every code of every error type, with the prefix its type's ids must have.
    static let codes: [(type: String, prefix: String, ids: [String])] = [
        ("GeoError", "geo.", GeoError.Code.allCases.map(\.id)),
        ("RegistryError", "registry.", RegistryError.Code.allCases.map(\.id)),
        ("SelectionError", "selection.", SelectionError.Code.allCases.map(\.id)),
        ("DispatchError", "dispatch.", DispatchError.Code.allCases.map(\.id)),
        ("ProviderAdapterError", "provider.", ProviderAdapterError.Code.allCases.map(\.id)),
        ("AreaToolError", "areaTool.", AreaToolError.Code.allCases.map(\.id)),
        ("OutputError", "output.", OutputError.Code.allCases.map(\.id)),
        ("SyntheticError", "synthetic.", SyntheticError.Code.allCases.map(\.id)),
        ("GeoPackageBinary.DecodingError", "geoPackage.", GeoPackageBinary.DecodingError.Code.allCases.map(\.id)),
    ]

    /// One error of every code of every type, as the library makes them (a message of its own).
    static var everyError: [any FanoutError] {
        var errors: [any FanoutError] = []
        errors += GeoError.Code.allCases.map { GeoError($0, "geo \($0)") }
        errors += RegistryError.Code.allCases.map { RegistryError($0, "registry \($0)") }
        errors += SelectionError.Code.allCases.map { SelectionError($0, "selection \($0)") }
        errors += DispatchError.Code.allCases.map { DispatchError($0, "dispatch \($0)") }
        errors += ProviderAdapterError.Code.allCases.map { ProviderAdapterError($0, "provider \($0)", errno: 2) }
        errors += AreaToolError.Code.allCases.map { AreaToolError($0, "area tool \($0)") }
        errors += OutputError.Code.allCases.map { OutputError($0, "output \($0)") }
        errors += SyntheticError.Code.allCases.map { SyntheticError($0, "synthetic \($0)", file: "p.csv", line: 3) }
        errors.append(decodingError())
        return errors
    }

    static func decodingError() -> any FanoutError {
        do {
            _ = try GeoPackageBinary.decode([0x47, 0x50])
        } catch {
            return error
        }
        return GeoError(.parse, "a two-byte blob decoded")
    }

    @Test func everyCodeHasAUniqueStableLookingID() {
        var seen: Set<String> = []
        for (type, prefix, ids) in Self.codes {
            #expect(!ids.isEmpty, "\(type) has no codes")
            for id in ids {
                #expect(id.hasPrefix(prefix) && id.count > prefix.count, "\(type): \(id)")
                #expect(id.allSatisfy { $0.isASCII && ($0.isLetter || $0 == ".") }, "\(type): \(id)")
                #expect(seen.insert(id).inserted, "\(id) is used twice")
            }
        }
        // 12 + 6 + 5 + 7 + 5 + 6 + 2 + 4 + 1 codes (SelectionError: 5 with .closed), counted from the Code types' declarations.
        #expect(seen.count == 48)
    }

    @Test func everyCodeIsInTheManualsTable() throws {
        let manual = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("docs/library.md"), encoding: .utf8)
        for (_, _, ids) in Self.codes {
            for id in ids { #expect(manual.contains("| `\(id)` |"), "docs/library.md has no row for \(id)") }
        }
    }

    @Test func localizedDescriptionIsTheMessage() {
        for error in Self.everyError {
            #expect(!error.message.isEmpty)
            #expect(!error.code.id.isEmpty)
            #expect((error as any Error).localizedDescription == error.message, "\(error.code.id)")
            #expect(error.errorDescription == error.message)
            // Found again through `any Error`, as a service catching everything would.
            let caught: any Error = error
            #expect((caught as? any FanoutError)?.code.id == error.code.id)
        }
    }

    @Test func causesAreKept() throws {
        let sqlite = DispatchError(.ledger, "ledger write failed", cause: RegistryError(.database, "disk I/O error"))
        #expect((sqlite.cause as? RegistryError)?.message == "disk I/O error")
        let socket = ProviderAdapterError(.socket, "connect failed", errno: ECONNREFUSED)
        #expect((socket.cause as? POSIXError)?.code == .ECONNREFUSED)
        #expect(OutputError(.refused, "no").cause == nil)
    }

    // MARK: - Locations of real bad inputs

    @Test func aBadCSVLineThroughTheImportIsLocated() throws {
        let dir = try Fixtures.temporaryDirectory("fanout-error-csv")
        let csv = try Fixtures.write(
            "id,lon,lat,phone,channels\n1,5.11,52.09,+31612345678,sms\n2,5.12,52.09,+31612345679,pigeon\n",
            named: "p.csv", in: dir)
        let registry = try Registry.open(at: dir.appendingPathComponent("r.sqlite").path)
        let error = try #require(throws: RegistryError.self) {
            try registry.importCSV(URL(fileURLWithPath: csv), options: ImportOptions(countries: .off))
        }
        #expect(error.location == ErrorLocation(input: csv, line: 3, field: "channels"), "\(error)")
        #expect(error.code.id == "registry.input")
        #expect(error.localizedDescription == error.message)
        #expect(!error.message.contains("+3161234567"), "personal data in \(error.message)")
    }

    @Test func anUnclosedQuoteIsLocatedOnTheLineItStarts() throws {
        let dir = try Fixtures.temporaryDirectory("fanout-error-quote")
        let csv = try Fixtures.write("id,lon,lat\n1,5.11,52.09\n\n2,\"5.12,52.09\n", named: "q.csv", in: dir)
        let registry = try Registry.open(at: dir.appendingPathComponent("r.sqlite").path)
        let error = try #require(throws: RegistryError.self) {
            try registry.importCSV(URL(fileURLWithPath: csv), options: ImportOptions(countries: .off))
        }
        #expect(error.location?.input == csv && error.location?.line == 4, "\(error)")
    }

    @Test func aBadHeaderIsLocatedOnLineOne() throws {
        let dir = try Fixtures.temporaryDirectory("fanout-error-header")
        let csv = try Fixtures.write("id,lon,lon\n1,5.11,52.09\n", named: "h.csv", in: dir)
        let registry = try Registry.open(at: dir.appendingPathComponent("r.sqlite").path)
        let error = try #require(throws: RegistryError.self) {
            try registry.importCSV(URL(fileURLWithPath: csv), options: ImportOptions(countries: .off))
        }
        #expect(error.location == ErrorLocation(input: csv, line: 1, field: "lon"), "\(error)")
    }

    @Test func aGeoJSONMemberIsLocatedByItsPath() throws {
        let dir = try Fixtures.temporaryDirectory("fanout-error-geojson")
        let file = try Fixtures.write(
            #"{"type":"Polygon","coordinates":[[[5.1,52.08],[5.12,"x"],[5.12,52.09],[5.1,52.08]]]}"#,
            named: "a.geojson", in: dir)
        let error = try #require(throws: GeoError.self) {
            try AreaReader.read(contentsOf: URL(fileURLWithPath: file), crs: nil, context: try GEOSContext())
        }
        #expect(error.location?.input == file, "\(error)")
        #expect(error.location?.field == ".coordinates[0][1]", "\(error)")
        #expect(error.message.contains(".coordinates[0][1]"))
    }

    @Test func trailingWKTTextIsLocatedOnItsLine() throws {
        let dir = try Fixtures.temporaryDirectory("fanout-error-wkt")
        let file = try Fixtures.write(
            "POLYGON((5.10 52.08, 5.12 52.08, 5.12 52.09, 5.10 52.08))\n\nnonsense here\n", named: "a.wkt", in: dir)
        let error = try #require(throws: GeoError.self) {
            try AreaReader.read(contentsOf: URL(fileURLWithPath: file), crs: nil, context: try GEOSContext())
        }
        #expect(error.location == ErrorLocation(input: file, line: 3), "\(error)")
    }

    @Test func aBadCAPPairIsLocatedOnItsLine() throws {
        let dir = try Fixtures.temporaryDirectory("fanout-error-cap")
        let cap = """
            <?xml version="1.0" encoding="UTF-8"?>
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
              <identifier>x</identifier><sender>s</sender><sent>2026-01-01T00:00:00+01:00</sent>
              <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
              <info><category>Safety</category><event>e</event><urgency>Immediate</urgency>
                <severity>Severe</severity><certainty>Observed</certainty>
                <area><areaDesc>a</areaDesc>
                  <polygon>52.08,5.10 52.08,5.12
                    52.09,5.12 north,5.10 52.08,5.10</polygon>
                </area>
              </info>
            </alert>

            """
        let file = try Fixtures.write(cap, named: "a.cap", in: dir)
        let error = try #require(throws: GeoError.self) {
            try AreaReader.read(contentsOf: URL(fileURLWithPath: file), crs: nil, context: try GEOSContext())
        }
        #expect(error.location?.input == file && error.location?.line == 9, "\(error)")
        #expect(error.message.contains("line 9"), "\(error)")
    }

    @Test func aBadPlaceTableRowIsLocated() throws {
        let error = try #require(throws: SyntheticError.self) {
            try PlaceTable.parse(csv: "name,lon,lat,population,country\nA,5.1,52.1,100,NL\nB,abc,52.1,100,NL\n")
        }
        #expect(error.location?.line == 3 && error.location?.field == "lon", "\(error)")
    }
}
