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

/// The generated population tells the truth at the border: importing it contradicts no country,
/// and the per-country counts `select` reports for a polygon around Venlo equal an independent
/// clip of its GeoJSON output against the borders file with GDAL's `ogr2ogr`.
@Suite(.serialized) struct BorderTruthTests {
    static let gdal = ExternalTool.hasGDAL
    let dir: URL

    init() throws { dir = try Fixtures.temporaryDirectory("border-truth") }

    /// The number of features `ogrinfo` counts in a file, with an optional attribute filter.
    private func featureCount(_ path: String, where filter: String? = nil) async throws -> Int {
        let r = try await ExternalTool.run(
            "ogrinfo", ["-ro", "-so", "-al"] + (filter.map { ["-where", $0] } ?? []) + [path])
        #expect(r.status == 0, "ogrinfo \(path): \(r.stderr)")
        guard let line = r.stdout.split(separator: "\n").first(where: { $0.hasPrefix("Feature Count: ") }),
            let n = Int(line.dropFirst("Feature Count: ".count))
        else {
            Issue.record("ogrinfo \(path): no feature count in \(r.stdout)")
            return -1
        }
        return n
    }

    @Test(.enabled(if: gdal, "ogrinfo/ogr2ogr missing: install gdal-bin (tools/test.sh does)"))
    func venloCountsEqualAnIndependentClipAndTheImportContradictsNothing() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("population.csv").path
        let db = dir.appendingPathComponent("registry.sqlite").path
        let generated = try await CommandRunner.run(["generate", "--count", "100000", "--seed", "2016", "--out", csv])
        #expect(generated.status == 0, "\(generated.stderr)")
        let imported = try await CommandRunner.run(["import", "--db", db, "--csv", csv])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(!imported.stderr.contains("warning"), "the import of the generated file warns: \(imported.stderr)")

        // Venlo and its German neighbours Kaldenkirchen, Nettetal and Straelen.
        let polygon = dir.appendingPathComponent("venlo.geojson")
        try #"{"type":"Polygon","coordinates":[[[6.08,51.30],[6.30,51.30],[6.30,51.45],[6.08,51.45],[6.08,51.30]]]}"#
            .write(to: polygon, atomically: true, encoding: .utf8)
        let selected = dir.appendingPathComponent("selected.geojson").path
        let select = try await CommandRunner.run([
            "select", "--db", db, "--polygon", polygon.path, "--format", "geojson", "--exact-positions", "--out",
            selected,
        ])
        #expect(select.status == 0, "\(select.stderr)")
        // "selected 919 participants (DE 105, NL 814) in ..."
        var reported: [String: Int] = [:]
        if let open = select.stderr.firstIndex(of: "("), let close = select.stderr.firstIndex(of: ")") {
            for part in select.stderr[select.stderr.index(after: open)..<close].split(separator: ", ") {
                let fields = part.split(separator: " ")
                if fields.count == 2, let n = Int(fields[1].replacingOccurrences(of: ",", with: "")) {
                    reported[String(fields[0])] = n
                }
            }
        }
        #expect(reported["DE", default: 0] > 20, "too few German participants to test anything: \(select.stderr)")

        let borders = Fixtures.packageRoot.appendingPathComponent("data/borders-nl-be-de.geojson").path
        var clipped: [String: Int] = [:]
        for country in ["NL", "BE", "DE"] {
            let out = dir.appendingPathComponent("clip-\(country).geojson").path
            let clip = try await ExternalTool.run(
                "ogr2ogr",
                ["-f", "GeoJSON", out, selected, "-clipsrc", borders, "-clipsrcwhere", "country = '\(country)'"])
            #expect(clip.status == 0, "ogr2ogr: \(clip.stderr)")
            let n = try await featureCount(out)
            if n > 0 {
                clipped[country] = n
                #expect(
                    try await featureCount(out, where: "country <> '\(country)'") == 0,
                    "labelled otherwise in \(country)")
            }
        }
        #expect(clipped == reported, "fanout reports \(reported), the clip gives \(clipped)")
        print("Venlo: fanout \(reported), ogr2ogr clip \(clipped)")
    }
}
