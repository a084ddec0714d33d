@testable import FanOut
import Foundation
@testable import ProviderAdapters
import Testing

/// The job table every adapter keeps: a repeat of a key in flight is taken over, a repeat of a
/// completed key gets its result again, a full queue refuses, throttled results are not final,
/// and only the most recent results are remembered. Checked against a plain model of the rules.
@Suite struct AdapterJobsTests {
    @Test func repeatsAreTakenOverOrAnsweredAndNothingIsSentTwice() {
        var jobs = AdapterJobs<String>()
        let first = DeliveryReporter()
        let second = DeliveryReporter()
        guard case .new = jobs.admit("a", reporter: first, capacity: 2) else { Issue.record("a is new"); return }
        jobs.append("a")
        guard case .inFlight = jobs.admit("a", reporter: second, capacity: 2) else { Issue.record("a in flight"); return }
        #expect(jobs.queued == 1)  // not queued twice
        #expect(jobs.pop() == "a" && jobs.pop() == nil)
        // The one result goes to the reporter that took it over.
        #expect(jobs.finish("a", .delivered, remember: 10) === second)
        guard case .completed(.delivered) = jobs.admit("a", reporter: first, capacity: 2) else {
            Issue.record("a's result is remembered")
            return
        }
        // Throttled is not final: the key is new again.
        guard case .new = jobs.admit("b", reporter: first, capacity: 2) else { Issue.record("b is new"); return }
        #expect(jobs.finish("b", .throttled, remember: 10) === first)
        guard case .new = jobs.admit("b", reporter: first, capacity: 2) else { Issue.record("b again"); return }
    }

    @Test func aFullQueueRefusesAndOccupancyCanBeTheAdaptersOwn() {
        var jobs = AdapterJobs<Int>()
        for i in 0..<3 {
            guard case .new = jobs.admit("k\(i)", reporter: DeliveryReporter(), capacity: 3) else {
                Issue.record("k\(i)")
                return
            }
            jobs.append(i)
        }
        guard case .full = jobs.admit("k3", reporter: DeliveryReporter(), capacity: 3) else { Issue.record("full"); return }
        guard case .new = jobs.admit("k3", reporter: DeliveryReporter(), capacity: 3, occupancy: 0) else {
            Issue.record("occupancy given")
            return
        }
        #expect(jobs.next == 0 && jobs.pop() == 0 && jobs.next == 1)
    }

    @Test func onlyTheMostRecentResultsAreRememberedInOrder() {
        var jobs = AdapterJobs<Int>()
        var model: [String] = []  // the keys remembered, oldest first
        let capacity = 50
        for i in 0..<5_000 {
            let key = "k\(i % 700)"
            switch jobs.admit(key, reporter: DeliveryReporter(), capacity: 10_000) {
            case .new:
                #expect(!model.contains(key))
                jobs.append(i)
                _ = jobs.pop()
                _ = jobs.finish(key, .delivered, remember: capacity)
                model.append(key)
                if model.count > capacity { model.removeFirst() }
            case .completed:
                #expect(model.contains(key), "\(key) answered from memory but forgotten in the model")
            default:
                Issue.record("\(key): unexpected admission")
            }
        }
        #expect(jobs.queued == 0)
    }
}
