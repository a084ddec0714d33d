import FanoutServer
import Foundation
import Testing

/// The serve configuration file: what it takes and how it refuses the rest.
@Suite struct ServeConfigurationTests {
    static let hash = ServeConfiguration.hash(token: "secret")

    @Test func theHashIsSHA256OfTheTokenText() {
        // printf %s secret | sha256sum
        #expect(Self.hash == "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b")
    }

    @Test func aFullConfigurationParses() throws {
        let text = """
            {"tokens": [
              {"subject": "mk-utrecht", "role": "dispatcher", "sha256": "\(Self.hash)",
               "region": {"municipalities": ["Utrecht", "GM0344"]}, "requests_per_minute": 60},
              {"subject": "gis", "role": "gis", "sha256": "\(String(repeating: "a", count: 64))"}],
             "limits": {"body_bytes": 1000, "polygon_vertices": 50, "requests_per_minute": 10},
             "dispatch": "dispatch.json"}
            """
        let config = try ServeConfiguration.parse(Data(text.utf8), source: "serve.json")
        #expect(config.tokens.map(\.role) == [.dispatcher, .gis])
        #expect(config.tokens[0].region == .municipalities(["Utrecht", "GM0344"]))
        #expect(config.tokens[0].requestsPerMinute == 60)
        #expect(config.limits.bodyBytes == 1000 && config.limits.polygonVertices == 50 && config.limits.requestsPerMinute == 10)
        #expect(config.dispatchPath == "dispatch.json")
    }

    @Test(arguments: [
        (#"[]"#, "expected a JSON object"),
        (#"{"tokens": [], "extra": 1}"#, "unknown field 'extra'"),
        (#"{"tokens": [{"subject": "a", "role": "admin", "sha256": "HASH"}]}"#, "tokens[0].role"),
        (#"{"tokens": [{"subject": "a", "role": "gis", "sha256": "abc"}]}"#, "tokens[0].sha256"),
        (#"{"tokens": [{"subject": "", "role": "gis", "sha256": "HASH"}]}"#, "tokens[0].subject"),
        (#"{"tokens": [{"subject": "a", "role": "gis", "sha256": "HASH", "region": {"municipalities": ["Utrecht"]}}]}"#, "only a dispatcher"),
        (#"{"tokens": [{"subject": "a", "role": "gis", "sha256": "HASH"}, {"subject": "b", "role": "gis", "sha256": "HASH"}]}"#, "tokens[1].sha256"),
        (#"{"tokens": [], "limits": {"body_bytes": 0}}"#, "limits.body_bytes"),
        (#"{"tokens": [], "limits": {"speed": 3}}"#, "limits.speed"),
    ])
    func badConfigurationsAreRefusedNamingTheField(text: String, expected: String) {
        let data = Data(text.replacingOccurrences(of: "HASH", with: Self.hash).utf8)
        #expect {
            _ = try ServeConfiguration.parse(data, source: "serve.json")
        } throws: { error in
            guard let e = error as? ServeError else { return false }
            return e.code == .config && e.message.contains("serve.json") && e.message.contains(expected)
        }
    }
}
