import FanOut
import Foundation
import Geo
import Testing
import TestSupport

/// The public side of an action (`fanout action publish`, `fanout action feed`), read by
/// independent programs: feedparser (PyPI) reads the Atom and RSS feeds, xmllint checks each CAP
/// message against the OASIS CAP 1.2 schema, and xmlsec1 verifies the XML signature (and refuses
/// a changed message). The keys are made by openssl.
@Suite(.serialized) struct PublicFeedTests {
    static let xsd = Fixtures.url("CLITests/Fixtures/cap/CAP-v1.2.xsd").path
    static let tools = ["python3", "xmllint", "xmlsec1", "openssl"]
    static var ready: Bool {
        tools.allSatisfy(ExternalTool.has)
            && (try? Process.run(URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3", "-c", "import feedparser"])).map {
                $0.waitUntilExit()
                return $0.terminationStatus == 0
            } ?? false
    }

    /// What feedparser reads from a feed: per entry its id, title, links and summary.
    struct Read: Decodable {
        struct Entry: Decodable {
            var id: String
            var title: String
            var links: [String]
            var summary: String
        }
        var bozo: Bool
        var entries: [Entry]
    }

    static func parse(_ path: String) async throws -> Read {
        let script = """
            import feedparser, json, sys
            d = feedparser.parse(sys.argv[1])
            print(json.dumps({"bozo": bool(d.bozo), "entries": [{"id": e.get("id", ""), "title": e.get("title", ""),
                "links": [l.href for l in e.get("links", [])], "summary": e.get("summary", "")} for e in d.entries]}))
            """
        let r = try await ExternalTool.run("python3", ["-c", script, path])
        #expect(r.status == 0, "\(r.stderr)")
        return try JSONDecoder().decode(Read.self, from: Data(r.stdout.utf8))
    }

    /// The `<circle>` of a CAP file: centre and radius in metres.
    static func circle(_ cap: String) -> (LonLat, Double)? {
        guard let start = cap.range(of: "<circle>"), let end = cap.range(of: "</circle>") else { return nil }
        let n = cap[start.upperBound..<end.lowerBound].split(whereSeparator: { $0 == "," || $0 == " " }).compactMap {
            Double($0)
        }
        return n.count == 3 ? (LonLat(lon: n[1], lat: n[0]), n[2] * 1000) : nil
    }

    /// Great-circle distance in metres (haversine, mean Earth radius): independent of the feed's own.
    static func haversine(_ a: LonLat, _ b: LonLat) -> Double {
        let r = 6_371_008.8
        let (p1, p2) = (a.lat * .pi / 180, b.lat * .pi / 180)
        let dp = p2 - p1
        let dl = (b.lon - a.lon) * .pi / 180
        let h = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2)
        return 2 * r * asin(min(1, h.squareRoot()))
    }

    @Test(.enabled(if: ready, "needs python3 with feedparser, xmllint, xmlsec1 and openssl (tools/test.sh installs them)"))
    func anActionIsPublicOnlyOnceReleasedFollowsItsEnlargementAndEndAndIsSignedVerifiably() async throws {
        let fx = try ActionFixture(count: 400, label: "feed")
        let dir = fx.dir.path
        func path(_ name: String) -> String { fx.dir.appendingPathComponent(name).path }
        let config = try fx.write("dispatch.json", #"{"texts": {"callNumber": "0900-8844"}}"#)
        // Off the 0.01° grid, so that the rounded public centre differs from it.
        let centre = LonLat(lon: fx.centre.lon + 0.00123, lat: fx.centre.lat + 0.00077)
        let start = try await fx.action([
            "start", "--lon", "\(centre.lon)", "--lat", "\(centre.lat)", "--radius", "200", "--incident-type",
            "missing-child", "--message", "Boy, 8, red coat & \"cap\"", "--run", "--simulation", "ideal",
        ])
        #expect(start.status == 0, "\(start.stderr)")
        let feed = [
            "feed", "--base-url", "https://example.org/public", "--config", config, "--atom", path("a.atom"), "--rss",
            path("a.rss"),
        ]

        // Before the release: empty feeds, and no CAP for it.
        #expect(try await fx.action(feed).status == 0)
        #expect(try await Self.parse(path("a.atom")).entries.isEmpty)
        #expect(try await Self.parse(path("a.rss")).entries.isEmpty)
        let early = try await fx.action(["feed", "--base-url", "https://example.org/public", "--cap", "1", "--out", path("x.cap")])
        #expect(early.status == 2 && early.stderr.contains("not released"), "\(early.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path("x.cap")))

        let published = try await fx.action(["publish", "1", "--photo-url", "https://example.org/p/boy.jpg"])
        #expect(published.status == 0, "\(published.stderr)")
        _ = try await ExternalTool.run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path("key.pem")])
        _ = try await ExternalTool.run("openssl", ["ec", "-in", path("key.pem"), "-pubout", "-out", path("pub.pem")])
        let signedArgs = feed + ["--cap", "1", "--out", path("s.cap"), "--signing-key", path("key.pem"), "--key-name", "test"]
        let written = try await fx.action(signedArgs)
        #expect(written.status == 0, "\(written.stderr)")

        let atom = try await Self.parse(path("a.atom"))
        #expect(!atom.bozo)
        #expect(atom.entries.count == 1)
        #expect(atom.entries.first?.title == "Boy, 8, red coat & \"cap\"")
        #expect(atom.entries.first?.links.contains("https://example.org/public/actions/1.cap") == true)
        #expect(atom.entries.first?.links.contains("https://example.org/p/boy.jpg") == true)
        #expect(atom.entries.first?.summary.contains("0900-8844") == true)
        let rss = try await Self.parse(path("a.rss"))
        #expect(!rss.bozo)
        #expect(rss.entries.map(\.id) == ["fanout-public-1-v1"])

        // The signed CAP: schema-valid, verified by xmlsec1, and refused once changed.
        let lint = try await ExternalTool.run("xmllint", ["--noout", "--schema", Self.xsd, path("s.cap")])
        #expect(lint.status == 0, "\(lint.stderr)")
        let verified = try await ExternalTool.run("xmlsec1", ["--verify", "--pubkey-pem", path("pub.pem"), path("s.cap")])
        #expect(verified.status == 0 && verified.stderr.contains("OK"), "\(verified.stderr)")
        let signed = try String(contentsOfFile: path("s.cap"), encoding: .utf8)
        #expect(signed.contains("<msgType>Alert</msgType>") && signed.contains("<contact>0900-8844</contact>"))
        try signed.replacingOccurrences(of: "red coat", with: "blue coat").write(
            toFile: path("t.cap"), atomically: true, encoding: .utf8)
        let tampered = try await ExternalTool.run("xmlsec1", ["--verify", "--pubkey-pem", path("pub.pem"), path("t.cap")])
        #expect(tampered.status != 0, "a changed message verified: \(tampered.stderr)")
        _ = try await ExternalTool.run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path("other.pem")])
        _ = try await ExternalTool.run("openssl", ["ec", "-in", path("other.pem"), "-pubout", "-out", path("other.pub")])
        let otherKey = try await ExternalTool.run("xmlsec1", ["--verify", "--pubkey-pem", path("other.pub"), path("s.cap")])
        #expect(otherKey.status != 0, "verified with another key: \(otherKey.stderr)")

        // The area is generalised: the whole real circle is inside, the incident point is not shown.
        let (c, r) = try #require(Self.circle(signed))
        #expect(Self.haversine(c, centre) + 200 + 240 <= r, "\(c) \(r) m does not cover the real circle")
        #expect(abs(c.lon * 100 - (c.lon * 100).rounded()) < 1e-9 && abs(c.lat * 100 - (c.lat * 100).rounded()) < 1e-9)
        let everything = [signed, try String(contentsOfFile: path("a.atom"), encoding: .utf8),
                          try String(contentsOfFile: path("a.rss"), encoding: .utf8)].joined()
        #expect(!everything.contains("\(centre.lon)") && !everything.contains("\(centre.lat)"))
        #expect(!ActionFixture.leaksContactDetails(everything))

        // Enlarged: an Update referring to the Alert, a new RSS guid.
        let enlarged = try await fx.action([
            "enlarge", "1", "--lon", "\(centre.lon)", "--lat", "\(centre.lat)", "--radius", "400", "--run",
        ])
        #expect(enlarged.status == 0, "\(enlarged.stderr)")
        #expect(try await fx.action(feed + ["--cap", "1", "--out", path("u.cap")]).status == 0)
        let update = try String(contentsOfFile: path("u.cap"), encoding: .utf8)
        #expect(update.contains("<msgType>Update</msgType>") && update.contains("fanout-public-1-v1,"), "\(update)")
        #expect(try await ExternalTool.run("xmllint", ["--noout", "--schema", Self.xsd, path("u.cap")]).status == 0)
        #expect(try await Self.parse(path("a.rss")).entries.map(\.id) == ["fanout-public-1-v2"])
        let (_, r2) = try #require(Self.circle(update))
        #expect(r2 >= 400 + 250)

        // Ended: a Cancel with the end message.
        #expect(try await fx.action(["end", "1", "--result", "Boy found, thank you", "--run"]).status == 0)
        #expect(try await fx.action(feed + ["--cap", "1", "--out", path("e.cap")]).status == 0)
        let ended = try String(contentsOfFile: path("e.cap"), encoding: .utf8)
        #expect(ended.contains("<msgType>Cancel</msgType>") && ended.contains("<description>Boy found, thank you</description>"))
        #expect(try await ExternalTool.run("xmllint", ["--noout", "--schema", Self.xsd, path("e.cap")]).status == 0)
        #expect(try await Self.parse(path("a.atom")).entries.first?.title.contains("Boy found") == true)

        // Withdrawn: gone from the feeds.
        #expect(try await fx.action(["publish", "1", "--withdraw"]).status == 0)
        #expect(try await fx.action(feed).status == 0)
        #expect(try await Self.parse(path("a.atom")).entries.isEmpty)
        let log = try Ledger.open(at: fx.db, readOnly: true).commandLog(CommandLogQuery(action: ActionID(rawValue: 1)))
        let kinds: [CommandKind] = log.records.map(\.command).filter { $0 == .publish || $0 == .withdraw }
        #expect(kinds == [.publish, .withdraw])
        _ = dir
    }

    @Test func badPublicationsAndFeedsAreRefusedNamingWhatIsWrong() async throws {
        let fx = try ActionFixture(count: 100, label: "feed-bad")
        let start = try await fx.action([
            "start", "--lon", "\(fx.centre.lon)", "--lat", "\(fx.centre.lat)", "--radius", "100", "--incident-type",
            "burglary", "--message", "m", "--run", "--simulation", "ideal",
        ])
        #expect(start.status == 0, "\(start.stderr)")
        let notAKey = try fx.write("key.pem", "not a key")
        let cases: [([String], String, Int32)] = [
            (["publish", "9"], "no action 9", 2),
            (["publish", "1", "--withdraw"], "never released", 2),
            (["publish", "1", "--photo-url", "ftp://x/y.jpg"], "--photo-url", 64),
            (["feed", "--base-url", "ftp://example.org", "--atom", "a.atom"], "--base-url", 64),
            (["feed", "--base-url", "https://example.org"], "give --atom, --rss or --cap", 64),
            (["feed", "--base-url", "https://example.org", "--atom", fx.db], "--atom", 2),
            (["feed", "--base-url", "https://example.org", "--atom", "f.xml", "--rss", "./f.xml"], "different files", 64),
        ]
        for (args, message, status) in cases {
            let r = try await fx.action(args)
            #expect(r.status == status, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
        #expect(try await fx.action(["publish", "1"]).status == 0)
        let badKey = try await fx.action([
            "feed", "--base-url", "https://example.org", "--cap", "1", "--out", "s.cap", "--signing-key", notAKey,
        ])
        #expect(badKey.status != 0 && badKey.stderr.contains(notAKey) && badKey.stderr.contains("not a PEM"), "\(badKey.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fx.dir.appendingPathComponent("s.cap").path))
        // The registry is untouched by a refused --atom.
        #expect(try Ledger.open(at: fx.db, readOnly: true).summaries().count == 1)
    }
}
