import ServiceLifecycle

/// Runs the manager's periodic clean-up (expired sessions and tickets, the
/// audit log's retention, idempotency keys past 24 h) until shutdown. Its own service, apart from the
/// 200 ms tick: this work is cheap per run but needs no such rate.
struct Housekeeping: Service {
    let interval: Duration
    let work: @Sendable () async -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { break }
                await work()
            }
        }
    }
}
