import Testing
@testable import StewardAgent

/// The heartbeat loop's wait: a change rings it early; nothing is lost between waits.
@Suite struct DoorbellTests {
    @Test(.timeLimit(.minutes(1))) func aRingEndsTheWaitAndARingWhileNobodyWaitsIsKept() async {
        let bell = Doorbell()
        // Rung first: the next wait returns at once rather than after an hour.
        await bell.ring()
        await bell.wait(upTo: .seconds(3600))
        // Rung before or after the waiter began to wait: either way it returns.
        let waiting = Task { await bell.wait(upTo: .seconds(3600)) }
        await bell.ring()
        await waiting.value
    }

    @Test(.timeLimit(.minutes(1))) func aWaitEndsAtItsTimeoutOrWhenCancelled() async {
        let bell = Doorbell()
        await bell.wait(upTo: .milliseconds(10))
        let waiting = Task { await bell.wait(upTo: .seconds(3600)) }
        waiting.cancel()
        await waiting.value
    }
}
