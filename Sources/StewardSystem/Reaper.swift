#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Liveness checks of our children that remember how each one ended.
/// `waitpid` reports an exit once: whichever check reaps a child first keeps
/// its status here, so that the task waiting on that process still learns it.
///
/// `@unchecked Sendable`: the one mutable field is only touched under `lock`.
public final class Reaper: @unchecked Sendable {
    private let lock = NSLock()
    private var statuses: [pid_t: Int32] = [:]
    /// Enough for the exits nobody asked about yet; a pid is forgotten when spawned anew anyway.
    private let capacity: Int

    public init(capacity: Int = 256) {
        self.capacity = capacity
    }

    /// `ProcessControl.liveness`, remembering an exit for whoever asks next.
    public func liveness(_ pid: pid_t) -> ProcessControl.Liveness {
        lock.withLock {
            if let status = statuses[pid] { return .exited(status: status) }
            let state = ProcessControl.liveness(pid)
            if case .exited(let status) = state {
                if statuses.count >= capacity { statuses.removeAll() }
                statuses[pid] = status
            }
            return state
        }
    }

    /// A pid just spawned: the kernel may have reused one whose end we remember.
    public func forget(_ pid: pid_t) {
        lock.withLock { _ = statuses.removeValue(forKey: pid) }
    }

    /// Waits up to `timeout` for a process to end; true if it did.
    public func waitGone(_ pid: pid_t, timeout: Duration) async -> Bool {
        await ProcessControl.waitUntil(timeout) { liveness(pid) != .running }
    }

    /// SIGTERM to the process group led by `pid`, up to `grace` for it to end,
    /// then SIGKILL to the group and up to `killWait`.
    public func stopGroup(_ pid: pid_t, grace: Duration, killWait: Duration = .seconds(5)) async -> ProcessControl.StopOutcome {
        await ProcessControl.stop(grace: grace, killWait: killWait,
                                  send: { ProcessControl.signalGroup(pid, $0) }, isGone: { liveness(pid) != .running })
    }

    /// SIGKILL to the process group at once, and up to `wait` for it to end.
    public func killGroup(_ pid: pid_t, wait: Duration = .seconds(5)) async -> Bool {
        ProcessControl.signalGroup(pid, SIGKILL)
        return await waitGone(pid, timeout: wait)
    }
}
