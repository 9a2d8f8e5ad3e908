import Foundation
import Logging
import StewardAPI
import StewardEngine

/// What `FailureRestarts` needs of the command center: whether a service is
/// held, and a restart command of one instance.
protocol RestartSubmitter: Sendable {
    func runningCommand(for service: String) async -> Int64?
    func submitRestart(_ instance: InstanceRef, attempt: Int) async throws -> Command
}

/// `restart_on_failure`, driven by the manager as Cloudera Manager does: it
/// knows which instances should run (each one's last successful start or stop
/// by an operator's command, from the store at start-up, then as commands
/// end), and when a report shows such an instance stopped, or started but
/// unhealthy, it submits a RESTART_INSTANCE command (user "system") after the
/// role's backoff, until `max_restarts` within `reset_after_seconds`; then it
/// gives up and says why.
///
/// It never fights an operator: a stop clears the wish, and while any command
/// holds the service, reports are not acted on (its next report, a second
/// later, is). Lock-protected rather than an actor: the command center tells it
/// of ended commands from inside its own turn, without a hop.
final class FailureRestarts: @unchecked Sendable {
    private struct State {
        var wanted: Set<InstanceRef> = []
        var trackers: [InstanceRef: RestartTracker] = [:]
        /// A restart is scheduled, or its command runs: no second one meanwhile.
        var pending: Set<InstanceRef> = []
        /// Why the manager stopped restarting an instance, until an operator's command on it.
        var givenUp: [InstanceRef: String] = [:]
        var latest: [InstanceRef: InstanceReport] = [:]
    }

    private let lock = NSLock()
    private var state = State()
    private var submitter: (any RestartSubmitter)?
    private let policies: [String: RestartPolicy]
    let clock: any TimeSource
    let logger: Logger
    /// Where a give-up is recorded for operators (the audit log), beside the log line.
    let record: @Sendable (InstanceRef, String) async -> Void

    init(stack: Stack, clock: any TimeSource, logger: Logger, record: @escaping @Sendable (InstanceRef, String) async -> Void = { _, _ in }) {
        self.record = record
        var policies: [String: RestartPolicy] = [:]
        for service in stack.services {
            for role in service.roles { if let policy = role.restartOnFailure { policies[role.name] = policy } }
        }
        self.policies = policies
        self.clock = clock
        self.logger = logger
    }

    /// Set once at start-up, with what the store says should run.
    func connect(_ submitter: any RestartSubmitter, lastOperations: [InstanceRef: StewardAPI.Operation]) {
        lock.withLock {
            self.submitter = submitter
            state.wanted = Set(lastOperations.filter { Self.leavesRunning($0.value) }.keys)
        }
    }

    /// Whether an operation that succeeded leaves its instance running: a
    /// start, and a restart (the rolling restart's one-task RESTART), by their
    /// wire names so that operations added later are judged here on sight;
    /// anything else (a stop, a removal) leaves it stopped.
    static func leavesRunning(_ operation: StewardAPI.Operation) -> Bool {
        ["START", "RESTART"].contains(operation.rawValue)
    }

    var wanted: Set<InstanceRef> { lock.withLock { state.wanted } }

    func givenUp(_ instance: InstanceRef) -> String? { lock.withLock { state.givenUp[instance] } }

    /// A restart of the instance is scheduled or running.
    func isPending(_ instance: InstanceRef) -> Bool { lock.withLock { state.pending.contains(instance) } }

    /// A command ended: an operator's succeeded tasks say what should run
    /// (and clear a give-up); the manager's own restart frees its instance
    /// for the next attempt, if one is needed.
    func commandEnded(_ command: Command) {
        lock.withLock {
            for task in command.steps.flatMap(\.tasks) {
                if command.kind == .restartInstance {
                    state.pending.remove(task.instance)
                    continue
                }
                guard task.state == .succeeded else { continue }
                state.givenUp[task.instance] = nil
                if Self.leavesRunning(task.operation) { state.wanted.insert(task.instance) } else { state.wanted.remove(task.instance) }
            }
        }
    }

    /// Reports from a host's agent (a heartbeat, a result, a registration).
    func observe(_ reports: [InstanceReport], host: String) async {
        for report in reports where policies[report.role] != nil {
            let ref = InstanceRef(service: report.service, role: report.role, host: host)
            let failing = report.status == .stopped || (report.status == .started && report.health == .bad)
            let candidate = lock.withLock { () -> Bool in
                if let known = state.latest[ref], known.observedAt > report.observedAt { return false }
                state.latest[ref] = report
                return failing && state.wanted.contains(ref) && !state.pending.contains(ref) && state.givenUp[ref] == nil
            }
            guard candidate, let submitter = lock.withLock({ self.submitter }) else { continue }
            // A command on the service (an operator's stop, say) is what makes it so.
            guard await submitter.runningCommand(for: ref.service) == nil else { continue }
            decide(ref, report)
        }
    }

    private func decide(_ ref: InstanceRef, _ report: InstanceReport) {
        guard let policy = policies[ref.role] else { return }
        let now = clock.now()
        let decision = lock.withLock { () -> RestartTracker.Decision? in
            guard state.wanted.contains(ref), state.pending.insert(ref).inserted, state.givenUp[ref] == nil else { return nil }
            var tracker = state.trackers[ref] ?? RestartTracker(policy: policy)
            let decision = tracker.failed(at: now)
            state.trackers[ref] = tracker
            if case .giveUp(let reason) = decision {
                state.pending.remove(ref)
                state.givenUp[ref] = reason
            }
            return decision
        }
        let why = report.status == .stopped ? "stopped" : "unhealthy"
        switch decision {
        case .restart(let attempt, let at)?:
            logger.warning("instance failed; restarting", metadata: [
                "instance": "\(ref)", "state": "\(why)", "attempt": "\(attempt)", "in_ms": "\(max(0, at - now))",
            ])
            Task { await self.restart(ref, attempt: attempt, at: at) }
        case .giveUp(let reason)?:
            logger.error("instance failed; not restarting it again", metadata: [
                "instance": "\(ref)", "state": "\(why)", "reason": "\(reason)",
            ])
            Task { await self.record(ref, "\(why); not restarted again: \(reason)") }
        case nil:
            break
        }
    }

    /// After the backoff: the restart command, unless the wish is gone or the
    /// instance came back meanwhile; while another command holds the service, it waits.
    private func restart(_ ref: InstanceRef, attempt: Int, at: Millis) async {
        let wait = at - clock.now()
        if wait > 0 { try? await Task.sleep(for: .milliseconds(wait)) }
        while true {
            let (still, submitter) = lock.withLock { () -> (Bool, (any RestartSubmitter)?) in
                let report = state.latest[ref]
                let recovered = report?.status == .started && report?.health == .good
                let still = state.wanted.contains(ref) && !recovered
                if !still { state.pending.remove(ref) }
                return (still, self.submitter)
            }
            guard still, let submitter else { return }
            do {
                let command = try await submitter.submitRestart(ref, attempt: attempt)
                logger.notice("restart command submitted", metadata: ["instance": "\(ref)", "command": "\(command.id)"])
                return
            } catch let error as StewardError where error.code == .serviceBusy {
                try? await Task.sleep(for: .seconds(1))
            } catch {
                logger.error("cannot submit a restart", metadata: ["instance": "\(ref)", "error": "\(error)"])
                lock.withLock { _ = state.pending.remove(ref) }
                return
            }
        }
    }
}
