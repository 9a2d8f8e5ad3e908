/// Wakes the heartbeat loop early: a live check that sees a change rings it,
/// and the loop, waiting out its interval, sends a heartbeat at once. Rings
/// while nobody waits are kept (as one), so none is lost between two waits.
actor Doorbell {
    private var rung = false
    private var waiter: CheckedContinuation<Void, Never>?
    private var generation = 0

    func ring() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            rung = true
        }
    }

    /// Returns when rung, or after `timeout`, whichever comes first.
    func wait(upTo timeout: Duration) async {
        if rung || Task.isCancelled {
            rung = false
            return
        }
        generation += 1
        let mine = generation
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.expire(mine)
        }
        // A cancelled waiter (the link broke, the agent stops) returns at once, not at its timeout.
        await withTaskCancellationHandler {
            await withCheckedContinuation { waiter = $0 }
        } onCancel: {
            Task { await self.expire(mine) }
        }
        timer.cancel()
    }

    /// The timeout of one wait; a later wait's is not ended by an earlier timer.
    private func expire(_ generation: Int) {
        guard generation == self.generation, let waiter else { return }
        self.waiter = nil
        waiter.resume()
    }
}
