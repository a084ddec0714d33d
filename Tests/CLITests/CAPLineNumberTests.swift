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

/// A CAP file that cannot be read names the line where the error is: libxml2's own line for XML
/// that is not well-formed, the line of the pair for a bad `<polygon>` pair. Every file below is
/// built line by line, so the expected line is known from how it was built.
@Suite struct CAPLineNumberTests {
    static let ns = "urn:oasis:names:tc:emergency:cap:1.2"

    /// Lines 1…6 of a CAP alert up to the `<areaDesc>`; line 7 onwards is the case's.
    static let head = [
        #"<?xml version="1.0" encoding="UTF-8"?>"#, "<alert xmlns=\"\(ns)\">", "  <identifier>x</identifier>",
        "  <info>", "    <area>", "      <areaDesc>Utrecht</areaDesc>",
    ]
    static let ring = "52.08,5.10 52.08,5.12 52.09,5.12 52.09,5.10 52.08,5.10"
    static let tail = ["    </area>", "  </info>", "</alert>"]

    /// The lines of each case, the line the error is on, and what the message says.
    static let cases: [(lines: [String], line: Int, says: String)] = [
        // line 8: the end tag does not match <area>.
        (head + ["      <polygon>\(ring)</polygon>", "    </areaX>", "  </info>", "</alert>"], 8, "end tag does not match"),
        // line 3: a bare '&' in a text.
        (head.prefix(2) + ["  <identifier>x & y</identifier>"] + head.dropFirst(3) + tail, 3, "'&' must be written &amp;"),
        // line 7: an attribute value without quotes.
        (head + ["      <polygon lang=en>\(ring)</polygon>"] + tail, 7, "must start with \" or '"),
        // line 9: the third pair, on the polygon's third line, has a trailing comma.
        (head + ["      <polygon>52.08,5.10", "52.08,5.12", "52.09,5.12,", "52.09,5.10 52.08,5.10</polygon>"] + tail,
         9, "pair 3 '52.09,5.12,' is not lat,lon"),
        // line 8: a polygon opened on line 7 whose first line is blank; the bad pair is on line 8.
        (head + ["      <polygon>", "52.08,5.10 52.08;5.12 52.09,5.12 52.09,5.10 52.08,5.10</polygon>"] + tail,
         8, "pair 2 '52.08;5.12' is not lat,lon"),
        // line 7: two pairs.
        (head + ["      <polygon>52.08,5.10 52.08,5.12</polygon>"] + tail, 7, "2 pairs; CAP needs at least 4"),
        // line 7: a circle radius that is not a number.
        (head + ["      <circle>52.08,5.10 far</circle>"] + tail, 7, "radius 'far' is not a number"),
        // line 9: the document stops inside <alert>, after its last line.
        (head + ["      <polygon>\(ring)</polygon>", "    </area>", "  </info>"], 9, "ends inside <alert>"),
    ]

    @Test(arguments: 0..<cases.count)
    func theMessageNamesTheLine(_ index: Int) throws {
        let c = Self.cases[index]
        for newline in ["\n", "\r\n"] {
            let text = c.lines.joined(separator: newline) + newline
            #expect(throws: GeoError.self) { try CAPReader.parse(Data(text.utf8), name: "a.cap") }
            do { _ = try CAPReader.parse(Data(text.utf8), name: "a.cap") } catch let e as GeoError {
                let at = "a.cap: line \(c.line)"
                #expect(e.message.hasPrefix(at + ":") || e.message.hasPrefix(at + ","), "\(e.message)")
                #expect(e.message.contains(c.says), "\(e.message)")
            }
        }
    }

    @Test func anErrorFarIntoALargeFileNamesItsLine() throws {
        // XMLParser hands libxml2 the document in chunks; after 3,000 lines the error is on line 3,003.
        let lines = Self.head.prefix(2) + Array(repeating: "  <note>padding</note>", count: 3000) + ["<bad a=1/>"]
        let text = (lines + ["</alert>"]).joined(separator: "\n")
        do {
            _ = try CAPReader.parse(Data(text.utf8), name: "big.cap")
            Issue.record("parsed")
        } catch let e as GeoError {
            #expect(e.message.hasPrefix("big.cap: line 3003, column "), "\(e.message)")
        }
    }

    @Test func theNOAAExampleNamesTheLineOfItsBadPair() async throws {
        // noaa_errors.cap (google/cap-library): the first polygon, with '+40.85,-118.09,', is on line 66.
        let file = Fixtures.url("CLITests/Fixtures/cap/noaa_errors.cap").path
        let lines = try String(contentsOfFile: file, encoding: .utf8).components(separatedBy: "\n")
        let line = try #require(lines.firstIndex { $0.contains("+40.85,-118.09,") }) + 1
        let r = try await CommandRunner.run(["area", "check", file])
        #expect(r.status == 3)
        #expect(r.stderr.contains("\(file): line \(line): info 1, area 1, polygon 1: pair 7"), "\(r.stderr)")
    }
}
