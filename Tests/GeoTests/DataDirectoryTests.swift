import Foundation
import GeoTestSupport
import TestSupport
import Testing

@testable import Geo

/// ``DataDirectory``: the bundled copies are the package's files, each case resolves where it says,
/// and a missing file is an error naming the file and the directory searched.
@Suite struct DataDirectoryTests {
    static let packageData = Fixtures.packageRoot.appendingPathComponent("data")
    static let files = [
        "rdtrans2018.gsb", "borders-nl-be-de.geojson", "municipalities-nl.geojson", "travel-radius.csv",
        "areas/rotterdam-40km2.geojson", "areas/maastricht-670km2.geojson", "areas/kerkrade-15km.geojson",
        "LICENSES.md", "borders-nl-be-de.ODbL-1.0.txt",
    ]

    @Test(arguments: files)
    func theBundledFileIsACopyOfThePackagesDataFile(name: String) throws {
        let bundled = DataDirectory.bundled.url(for: name)
        #expect(!bundled.path.hasPrefix(Self.packageData.path + "/"), "\(bundled.path)")
        #expect(bundled.path.contains("fanout_FanoutData."), "\(bundled.path)")
        let copy = try Data(contentsOf: bundled)
        #expect(copy == (try Data(contentsOf: Self.packageData.appendingPathComponent(name))))
    }

    @Test func eachCaseResolvesWhereItSays() {
        let dir = URL(fileURLWithPath: "/srv/fanout-data")
        #expect(DataDirectory.directory(dir).url(for: "x.csv", environment: [:]).path == "/srv/fanout-data/x.csv")
        // The environment is read by .fromEnvironment only.
        let env = ["FANOUT_DATA_DIR": "/opt/d"]
        #expect(DataDirectory.fromEnvironment.url(for: "x.csv", environment: env).path == "/opt/d/x.csv")
        #expect(DataDirectory.fromEnvironment.resolved(environment: env).how == "FANOUT_DATA_DIR=/opt/d")
        #expect(DataDirectory.directory(dir).url(for: "x.csv", environment: env).path == "/srv/fanout-data/x.csv")
        #expect(
            DataDirectory.bundled.url(for: "x.csv", environment: env) == DataDirectory.bundled.url(for: "x.csv"))
        // Unset or empty: the bundle.
        for unset in [[:], ["FANOUT_DATA_DIR": ""]] {
            #expect(
                DataDirectory.fromEnvironment.url(for: "x.csv", environment: unset)
                    == DataDirectory.bundled.url(for: "x.csv"))
        }
    }

    @Test func aMissingFileNamesTheFileTheDirectoryAndHowToGiveIt() throws {
        let dir = try Fixtures.temporaryDirectory("nodata")
        defer { try? FileManager.default.removeItem(at: dir) }
        let error = try #require(throws: GeoError.self) {
            try Municipalities.load(data: .directory(dir), converter: try CoordinateConverter())
        }
        #expect(error.code == .municipalities)
        #expect(
            error.message.hasPrefix(
                "the municipalities file municipalities-nl.geojson is not in the data directory \(dir.path) "
                    + "(the data directory given)"), "\(error.message)")
        #expect(error.message.contains("DataDirectory.bundled") && error.message.contains("FANOUT_DATA_DIR"))
    }
}
