import StewardAPI
import StewardEngine
import Testing

@Suite("Restart on failure: the policy")
struct RestartTrackerTests {
    let policy = RestartPolicy(initialBackoffSeconds: 1, maxBackoffSeconds: 60, maxRestarts: 5, resetAfterSeconds: 300)

    @Test func backoffStartsAtTheInitialDelayDoublesAndIsCapped() {
        #expect((0...9).map { RestartTracker.backoff(after: $0, policy: policy) }
                    == [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000])
        let flat = RestartPolicy(initialBackoffSeconds: 5, maxBackoffSeconds: 5, maxRestarts: 3, resetAfterSeconds: 60)
        #expect((0...3).map { RestartTracker.backoff(after: $0, policy: flat) } == [5000, 5000, 5000, 5000])
        let immediate = RestartPolicy(initialBackoffSeconds: 0, maxBackoffSeconds: 10, maxRestarts: 3, resetAfterSeconds: 60)
        #expect((0...3).map { RestartTracker.backoff(after: $0, policy: immediate) } == [0, 0, 0, 0])
        // Doubling stops at the cap: a large count does not overflow.
        #expect(RestartTracker.backoff(after: 10_000, policy: policy) == 60_000)
    }

    @Test func eachFailureIsTheNextAttemptAfterItsBackoffUntilMaxRestartsThenItGivesUp() {
        var tracker = RestartTracker(policy: policy)
        var now: Millis = 1_000_000
        var decisions: [RestartTracker.Decision] = []
        for _ in 0..<6 {
            decisions.append(tracker.failed(at: now))
            now += 10_000
        }
        #expect(decisions[0] == .restart(attempt: 1, at: 1_000_000 + 1000))
        #expect(decisions[1] == .restart(attempt: 2, at: 1_010_000 + 2000))
        #expect(decisions[2] == .restart(attempt: 3, at: 1_020_000 + 4000))
        #expect(decisions[3] == .restart(attempt: 4, at: 1_030_000 + 8000))
        #expect(decisions[4] == .restart(attempt: 5, at: 1_040_000 + 16_000))
        guard case .giveUp(let reason) = decisions[5] else {
            Issue.record("the sixth failure within the window must give up: \(decisions[5])")
            return
        }
        #expect(reason.contains("5 restarts within 300 s"))
        // Still given up while the restarts stay within the window.
        #expect(tracker.failed(at: now) == decisions[5])
    }

    @Test func restartsOlderThanTheWindowNoLongerCount() {
        var tracker = RestartTracker(policy: RestartPolicy(initialBackoffSeconds: 1, maxBackoffSeconds: 60, maxRestarts: 2,
                                                           resetAfterSeconds: 100))
        #expect(tracker.failed(at: 0) == .restart(attempt: 1, at: 1000))
        #expect(tracker.failed(at: 50_000) == .restart(attempt: 2, at: 52_000))
        if case .restart = tracker.failed(at: 99_999) { Issue.record("a third restart within 100 s must be refused") }
        // At 100 s the first restart leaves the window (exactly then, not a millisecond later): one counts.
        #expect(tracker.failed(at: 100_000) == .restart(attempt: 2, at: 102_000))
        // Long after, an instance that ran well starts over at the initial backoff.
        #expect(tracker.failed(at: 1_000_000) == .restart(attempt: 1, at: 1_001_000))
        #expect(tracker.restarts == [1_000_000])
    }

    @Test func aGiveUpIsNotCountedAsARestart() {
        var tracker = RestartTracker(policy: RestartPolicy(initialBackoffSeconds: 2, maxBackoffSeconds: 4, maxRestarts: 1,
                                                           resetAfterSeconds: 10))
        #expect(tracker.failed(at: 0) == .restart(attempt: 1, at: 2000))
        for t in stride(from: Millis(1000), to: 10_000, by: 1000) {
            if case .restart = tracker.failed(at: t) { Issue.record("refused restarts must not be recorded (t=\(t))") }
        }
        #expect(tracker.restarts == [0])
        #expect(tracker.failed(at: 10_000) == .restart(attempt: 1, at: 12_000))
    }
}
