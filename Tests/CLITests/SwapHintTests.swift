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

/// The hint for swapped latitude and longitude quotes the position the way the file's format
/// writes it: CAP `lat,lon`, GeoJSON `[lon, lat]`, WKT `lon lat`. Each file below holds the same
/// square near Utrecht (lon 5.10…5.12, lat 52.08…52.09) written in the wrong order for its format.
@Suite struct SwapHintTests {
    let fx: CLIFixture
    init() throws { fx = try CLIFixture.shared.get() }

    /// Files with swapped coordinates, and what the hint must say: write (right), not (as written).
    static let cases: [(name: String, text: String, hint: String, first: String)] = [
        (
            "swapped.cap",
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><info><area><areaDesc>U</areaDesc>
            <polygon>5.10,52.08 5.12,52.08 5.12,52.09 5.10,52.09 5.10,52.08</polygon>
            </area></info></alert>
            """,
            "CAP polygons are lat,lon pairs: write 52.08,5.1, not 5.1,52.08", "first: 5.1,52.08 in EPSG:4326"
        ),
        (
            "swapped.geojson",
            #"{"type":"Polygon","coordinates":[[[52.08,5.10],[52.08,5.12],[52.09,5.12],[52.09,5.10],[52.08,5.10]]]}"#,
            "GeoJSON positions are [lon, lat]: write [5.1, 52.08], not [52.08, 5.1]",
            "first: [52.08, 5.1] in EPSG:4326"
        ),
        (
            "swapped.wkt", "POLYGON((52.08 5.10, 52.08 5.12, 52.09 5.12, 52.09 5.10, 52.08 5.10))\n",
            "WKT points are lon lat: write 5.1 52.08, not 52.08 5.1", "first: 52.08 5.1 in EPSG:4326"
        ),
    ]

    @Test(arguments: 0..<cases.count)
    func theHintShowsTheFormatsOrder(_ index: Int) async throws {
        let c = Self.cases[index]
        let file = try fx.write("hint-" + c.name, c.text)
        let check = try await CommandRunner.run(["area", "check", file])
        #expect(check.status == 2, "\(check.stderr)")
        #expect(check.stdout.contains("lat-lon-swapped") && check.stdout.contains(c.hint), "\(check.stdout)")
        let select = try await CommandRunner.run(["select", "--db", fx.db, "--polygon", file])
        #expect(select.status == 2, "\(select.stderr)")
        #expect(select.stderr.contains(c.hint) && select.stderr.contains(c.first), "\(select.stderr)")
    }

    @Test func aCorrectCAPFileIsNotSwapped() async throws {
        let cap = Self.cases[0].text.replacingOccurrences(
            of: "5.10,52.08 5.12,52.08 5.12,52.09 5.10,52.09 5.10,52.08",
            with: "52.08,5.10 52.08,5.12 52.09,5.12 52.09,5.10 52.08,5.10")
        let r = try await CommandRunner.run(["area", "check", try fx.write("hint-right.cap", cap)])
        #expect(r.status <= 1 && !r.stdout.contains("swapped"), "\(r.stdout)")
    }
}
