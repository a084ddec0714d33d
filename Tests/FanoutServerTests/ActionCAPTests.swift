import FanoutServer
import Foundation
import GeoFormats
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// `GET /v1/actions/{id}/cap`: the action as CAP 1.2 Alert, Update and Cancel, valid against the
/// OASIS schema (xmllint) and carrying the area the action was started and enlarged with.
@Suite struct ActionCAPTests {
    static let xsd = Fixtures.url("CLITests/Fixtures/cap/CAP-v1.2.xsd").path

    @Test func anActionIsAnAlertThenAnUpdateThenACancel() async throws {
        let fixture = try ServeFixture(label: "cap")
        let dir = try Fixtures.temporaryDirectory("cap-out")
        let documents = try await fixture.withServer { client in
            let start = try await client.call(
                .post, "/v1/actions", as: "dispatcher",
                json: circle(ServeFixture.centre, 550, #", "incident_type": "missing-child", "texts": {"nl": "Vermist: meisje", "de": "Vermisst: Mädchen"}"#))
            let id = try #require(start.body["id"] as? Int)
            var docs: [String] = []
            func cap() async throws -> String {
                try await client.execute(
                    uri: "/v1/actions/\(id)/cap", method: .get,
                    headers: [.authorization: "Bearer \(ServeFixture.tokens["auditor"]!)"]
                ) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("application/cap+xml") == true)
                    return String(buffer: response.body)
                }
            }
            docs.append(try await cap())
            let enlarged = try await client.call(.post, "/v1/actions/\(id)/enlarge", as: "dispatcher", json: circle(ServeFixture.centre, 1_050))
            #expect(enlarged.status == 200)
            #expect(enlarged.body["added"] as? Int == 5)  // 600 … 1,000 m
            docs.append(try await cap())
            _ = try await client.call(.post, "/v1/actions/\(id)/stop", as: "dispatcher")
            docs.append(try await cap())
            return docs
        }
        for (i, xml) in documents.enumerated() {
            let file = dir.appendingPathComponent("cap-\(i).xml")
            try xml.write(to: file, atomically: true, encoding: .utf8)
            let lint = try await ExternalTool.run("xmllint", ["--noout", "--schema", Self.xsd, file.path])
            #expect(lint.status == 0, "\(lint.stderr)")
        }
        #expect(documents[0].contains("<msgType>Alert</msgType>"))
        #expect(documents[0].contains("<identifier>fanout-action-1-v1</identifier>"))
        #expect(documents[0].contains("<circle>52.0908,5.1214 0.55</circle>"))
        #expect(documents[0].contains("<language>nl-NL</language>") && documents[0].contains("<language>de-DE</language>"))
        #expect(documents[1].contains("<msgType>Update</msgType>"))
        #expect(documents[1].contains("<circle>52.0908,5.1214 1.05</circle>"))
        #expect(documents[1].contains("fanout-action-1-v1,"))  // references the Alert
        #expect(documents[2].contains("<msgType>Cancel</msgType>"))
        #expect(documents[2].contains("fanout-action-1-v1,") && documents[2].contains("fanout-action-1-v2,"))
        // The reader of the project reads what was written: the circle it names is the action's last area.
        let alert = try CAPReader.parse(Data(documents[1].utf8), name: "update")
        let c = try #require(alert.areas.first?.circles.first)
        #expect(c.center.lon == 5.1214 && c.center.lat == 52.0908 && c.radiusKm == 1.05)
    }
}
