import Foundation
import StewardAPI
import StewardSystem

/// Live health: the agent keeps looking at running instances, liveness every
/// second (`monitor`), health at each role's `check_interval_seconds`, and
/// says at once when either changes (`onChange`), so that a process killed
/// with SIGKILL shows as stopped within about a second, not at the next start.
extension InstanceSupervisor {
    func setOnChange(_ handler: @escaping @Sendable () -> Void) { onChange = handler }

    /// What a health check of the instance needs.
    func target(_ role: String) -> HealthChecker.Target {
        let instance = instances[role]
        let directory = directory(role)
        let values = instance?.configuration ?? [:]
        var target = HealthChecker.Target(values: values, placeholders: placeholders(directory), log: directory.checkLog)
        if let instance, let spec = instance.spec {
            let settings = launchSettings(InstanceRef(service: instance.service, role: role, host: host), spec, values: values,
                                          directory: directory)
            target.environment = settings.environment
            target.workingDirectory = settings.workingDirectory
        }
        return target
    }

    /// One round: every instance's liveness now, and a health check started
    /// for each whose interval has passed (its answer comes back through
    /// `checked`, so a slow check holds up no one else). True if a process
    /// ended since the last round.
    @discardableResult
    func monitor(now: ContinuousClock.Instant = .now) -> Bool {
        var changed = false
        let busy = Set(inFlight.values)
        for (role, instance) in instances {
            guard let pid = instance.pid else { continue }
            guard reaper.liveness(pid) == .running else {
                logger.warning("instance process ended", metadata: ["role": "\(role)", "pid": "\(pid)"])
                clearPid(role, pid)
                changed = true
                continue
            }
            // A task on the instance (a start's own checks, a stop) says how it is.
            guard !busy.contains(role), !instance.checking else { continue }
            let interval = Duration.seconds(instance.spec?.checkIntervalSeconds ?? ProcessSpec.defaultCheckIntervalSeconds)
            if let last = instance.checkedAt, now - last < interval { continue }
            instances[role]?.checking = true
            let check = instance.check
            let target = target(role)
            let checker = self.checker
            Task {
                let good = await checker.healthy(check, target)
                self.checked(role, pid: pid, good: good)
            }
        }
        return changed
    }

    /// A live check's answer; a change of health is reported at once.
    func checked(_ role: String, pid: pid_t, good: Bool) {
        instances[role]?.checking = false
        // The process it checked is gone or replaced: its answer is about nothing.
        guard let instance = instances[role], instance.pid == pid else { return }
        let health: HealthStatus = good ? .good : .bad
        instances[role]?.checkedAt = .now
        guard health != instance.health else { return }
        instances[role]?.health = health
        logger.notice("instance health changed", metadata: ["role": "\(role)", "health": "\(health.rawValue)"])
        onChange()
    }

    func reports() -> [InstanceReport] {
        var out: [InstanceReport] = []
        for (role, instance) in instances.sorted(by: { $0.key < $1.key }) {
            let observedAt = Self.nowMicros()
            var running = false
            if let pid = instance.pid {
                running = reaper.liveness(pid) == .running
                if !running { clearPid(role, pid) }
            }
            // The health is the live checks' last answer: a heartbeat waits for no check.
            out.append(InstanceReport(
                service: instance.service, role: role, status: running ? .started : .stopped,
                health: running ? instance.health : .unknown,
                pid: running ? instance.pid : nil, configDigest: running ? instance.digest : nil,
                observedAt: observedAt))
        }
        return out
    }

    func report(role: String) -> InstanceReport? {
        reports().first { $0.role == role }
    }
}
