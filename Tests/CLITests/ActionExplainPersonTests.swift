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

/// `fanout action explain` for a person registered at several addresses: the ledger keys messages
/// by person, so an address skipped as "the same person" shows the alert sent to another address.
@Suite struct ActionExplainPersonTests {
    @Test func explainShowsThePersonsAlertThroughAnotherAddress() async throws {
        let dir = try Fixtures.temporaryDirectory("explain-person")
        let db = dir.appendingPathComponent("r.sqlite").path
        // Person 1 at three addresses: 1 and 2 inside the area (2 farther out, so alerted first),
        // 4 far outside it; 3 is a person of their own.
        try """
        id,lon,lat,country,phone,email,person
        1,5.1000,52.0800,NL,+31611111111,a@example.org,
        2,5.1040,52.0800,NL,+31611111111,a@example.org,1
        3,5.1010,52.0800,NL,+31622222222,b@example.org,
        4,5.3000,52.2000,NL,+31611111111,a@example.org,1
        """.write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        let imported = try await CommandRunner.run(["import", "--db", db, "--csv", "p.csv"], in: dir)
        #expect(imported.status == 0, "\(imported.stderr)")
        let started = try await CommandRunner.run(
            [
                "action", "start", "--db", db, "--lon", "5.1000", "--lat", "52.0800", "--radius", "500",
                "--incident-type", "burglary", "--message", "Red van", "--channels", "sms", "--simulation", "ideal",
                "--run",
            ], in: dir)
        #expect(started.status == 0, "\(started.stderr)")
        let id = try #require(try Ledger.open(at: db).summaries().last?.id)
        for (participant, listed) in [(1, "inside the area"), (4, "outside the area")] {
            let r = try await CommandRunner.run(["action", "explain", "\(id)", "\(participant)", "--db", db], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(!r.stdout.contains("never alerted"), "participant \(participant), \(listed): \(r.stdout)")
            // Participant 1 is person 1's own id; 4 is another address of person 1.
            let who = participant == 1 ? "participant 1" : "participant 4 (person 1)"
            #expect(r.stdout.contains("\(who) in action \(id): position 1 of 2"), "\(r.stdout)")
            #expect(r.stdout.contains("alerted through participant 2, another address of the same person"))
            #expect(r.stdout.contains("alert: delivered"), "\(r.stdout)")
            #expect(!ActionFixture.leaksContactDetails(r.stdout + r.stderr) && !r.stdout.contains("+316"))
        }
        // The address the alert went to names no other address; a person of their own stays as before.
        let two = try await CommandRunner.run(["action", "explain", "\(id)", "2", "--db", db], in: dir)
        #expect(two.stdout.contains("participant 2 (person 1) in action \(id): position 1 of 2"), "\(two.stdout)")
        #expect(!two.stdout.contains("alerted through"))
        let three = try await CommandRunner.run(["action", "explain", "\(id)", "3", "--db", db], in: dir)
        #expect(three.stdout.contains("participant 3 in action \(id): position 2 of 2"), "\(three.stdout)")
    }
}
