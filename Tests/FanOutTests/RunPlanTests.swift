import Foundation
import Synchronization
import TestSupport
import Testing

@testable import FanOut
import FanoutCore
import Geo
import GeoFormats
import Participants
import Selection
import ProviderAdapters
import FanoutEngine
import FanoutAreaTools
import FanoutTesting
import FanoutDesk
import FanoutLab
import Synthetic

/// The one run loop's plans: what the CLI's desk relies on besides processing events.
@Suite struct RunPlanTests {
    @Test func commandsFoundByThePollBeforeEndingIdleAreRunToo() async throws {
        let sms = RecordingProvider()
        let d = Dispatcher(providers: [.sms: sms], clock: VirtualClock())
        let polls = Mutex(0)
        let started = Mutex<ActionID?>(nil)
        var plan = RunPlan(end: .idle)
        plan.writesBeforeWaiting = false
        // Polled at the start (nothing yet) and when idle: the second poll hands in a start.
        plan.poll = (.seconds(3600), {
            let n = polls.withLock { $0 += 1; return $0 }
            guard n == 2 else { return false }
            let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(25))
            started.withLock { $0 = id }
            return true
        })
        let steps = try await d.onItsThread { try await d.runLoop(plan) }
        let id = try #require(started.withLock { $0 })
        #expect(steps > 0)
        #expect(try d.status(id).alerts == [.delivered: 25], "the command was run, not left")
        #expect(polls.withLock { $0 } == 3, "start, idle (a command), idle again (none)")
    }

    @Test func aStopRequestWakesAWaitingLoopAtOnce() async throws {
        let d = Dispatcher(providers: [.sms: RecordingProvider()], clock: SystemDispatchClock())
        let stop = Atomic<Bool>(false)
        var plan = RunPlan(end: .cancelled)
        plan.stop = { stop.load(ordering: .relaxed) }
        let stopping = plan
        let run = Task { try await d.onItsThread { try await d.runLoop(stopping) } }
        try await Task.sleep(for: .milliseconds(50))  // waiting: nothing to do, no poll
        let asked = ContinuousClock.now
        stop.store(true, ordering: .relaxed)
        d.wake()
        // Not woken, the loop would wait for ever (no events, no deadline, no poll): a watchdog
        // cancels it after a minute, which fails the test. Woken, it ends at once; under a loaded
        // parallel test run this task itself may take seconds to be resumed, so no tighter bound.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(60))
            run.cancel()
        }
        defer { watchdog.cancel() }
        #expect(try await run.value == 0)
        #expect(ContinuousClock.now - asked < .seconds(60), "woken, not left waiting")
    }

    @Test func aDeadlineRunStopsBeforeLaterEventsAndBringsTheClockThere() async throws {
        let clock = VirtualClock()
        let voice = RecordingProvider(callDuration: .seconds(30))
        let d = Dispatcher(providers: [.voice: voice], clock: clock)
        let id = try d.start(Fixture.request([.voice]), recipients: Fixture.recipients(3))
        _ = try await d.onItsThread { try await d.runLoop(RunPlan(end: .deadline(.seconds(10)))) }
        #expect(clock.now == .seconds(10))
        #expect(try d.status(id).alerts[.delivered] == nil, "the calls end at 30 s, after the deadline")
        _ = try await d.onItsThread { try await d.runLoop(RunPlan(end: .idle)) }
        #expect(try d.status(id).alerts == [.delivered: 3])
    }
}
