import Foundation
import Logging
import Synchronization
import TestSupport
import Testing

@testable import FanOut
import Geo
import Participants
import Selection
import ProviderAdapters
import FanoutEngine
@testable import FanoutTesting

/// Events that repeat thousands of times are written as a first line and summaries with counts.
@Suite struct RepeatedEventTests {
    @Test func aFirstLineThenSummariesWhoseWindowDoublesAndTheRestAtTheEnd() {
        var event = RepeatedEvent()
        var lines: [(at: Int, line: RepeatedEvent.Line)] = []
        for s in stride(from: 0, through: 3600, by: 10) {  // every 10 s for an hour: 361 times
            if let line = event.occurred(at: .seconds(s), weight: 2) { lines.append((s, line)) }
        }
        // Windows of 60, 120, 240, 480 and 960 s after the lines at 0, 60, 180, 420 and 900 s; the
        // next one (1,920 s after 1,860) is past the hour.
        #expect(lines.map(\.at) == [0, 60, 180, 420, 900, 1860])
        #expect(lines.map(\.line.count) == [1, 6, 12, 24, 48, 96])
        #expect(lines.map(\.line.isFirst) == [true, false, false, false, false, false])
        #expect(lines.map(\.line.since) == [0, 10, 70, 190, 430, 910].map { .seconds($0) })
        let rest = event.remainder()
        #expect(rest == RepeatedEvent.Line(isFirst: false, count: 174, weight: 348, since: .seconds(1870)))
        #expect(lines.map(\.line.count).reduce(0, +) + (rest?.count ?? 0) == 361)
        #expect(event.remainder() == nil)  // taken once
    }

    @Test func aBoutAfterAPauseLongerThanTheWindowIsWrittenAtOnce() {
        var event = RepeatedEvent()
        #expect(event.occurred(at: .zero)?.isFirst == true)
        #expect(event.occurred(at: .seconds(30)) == nil)  // within the first minute: counted
        event.add(weight: 5, at: .seconds(31))
        let line = event.occurred(at: .seconds(3600))
        #expect(line == RepeatedEvent.Line(isFirst: false, count: 2, weight: 7, since: .seconds(30)))
    }
}

/// A provider that flaps (one rejection in every 20 hand-overs, each followed by acceptances) writes
/// a few summary lines with counts, not a warning per episode of rejections.
@Suite struct ThrottleLogTests {
    @Test func aFlappingProviderIsSummarisedWithCountsAndDispatcherTime() async throws {
        let handler = CapturingLogHandler()
        let rejected = Mutex(Set<Int64>())
        // The first hand-over of every 20th person is rejected: 100 episodes.
        let sms = RecordingProvider { m in
            let reject = m.key.person % 20 == 0 && rejected.withLock { $0.insert(m.key.person).inserted }
            return ProviderOutcome(reject ? .throttled : .delivered)
        }
        let config = DispatchConfig(sms: .init(perSecond: 5, batchSize: 1))
        let d = Dispatcher(config: config, providers: [.sms: sms], clock: VirtualClock(), logger: handler.logger())
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(2000))
        try await d.runUntilIdle()  // ends with the summaries' remainder
        #expect(try d.status(id).alerts == [.delivered: 2000])
        #expect(sms.throttled.count == 100)
        let end = d.clock.now.seconds
        let loud = handler.entries.filter { $0.level >= .warning }
        // One first line, then at most one per doubling window (60 s, 120 s, ...) and the rest.
        let bound = 2 + Int(log2(end / 60).rounded(.up))
        #expect(loud.count >= 2 && loud.count <= bound, "\(loud.count) lines in \(end) s")
        #expect(loud.first?.message == "provider throttled: slowing down")
        let summaries = loud.dropFirst()
        #expect(summaries.allSatisfy { $0.message.hasPrefix("sms provider throttled again (") })
        // The counts add up to every episode and every rejected hand-over.
        let times: [Int] = summaries.compactMap { Int($0.metadata["times"] ?? "") }
        let rejections: [Int] = summaries.compactMap { Int($0.metadata["rejected"] ?? "") }
        #expect(1 + times.reduce(0, +) == 100)
        #expect(1 + rejections.reduce(0, +) == 100)
        // Every episode has a line: the first, a debug line, or the summary it triggered (the last
        // summary is the remainder written at the end of the run).
        let ownLines = handler.entries.filter { $0.message == "provider throttled: slowing down" }.count
        #expect(ownLines + summaries.count - 1 == 100, "\(ownLines) + \(summaries.count)")
        // Every line has the dispatcher time.
        for e in handler.entries {
            let t = try #require(e.metadata["t"])
            #expect(t.hasPrefix("T+0:") && t.split(separator: ":").count == 3, "\(t)")
        }
        #expect(loud.last?.metadata["t"] == d.clock.now.dispatchTimeText)
    }

    @Test func dispatcherTimeIsWrittenAsHoursMinutesSecondsAndTenths() {
        #expect(Duration.seconds(5).dispatchTimeText == "T+0:00:05.0")
        #expect(Duration.milliseconds(5_025_650).dispatchTimeText == "T+1:23:45.6")
        #expect(Duration.seconds(720 * 3600 + 24 * 60 + 46).dispatchTimeText == "T+720:24:46.0")
    }
}
