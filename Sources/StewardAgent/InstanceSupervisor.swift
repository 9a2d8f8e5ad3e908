#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import StewardAPI
import StewardSystem

/// The role processes of one host: starts, stops and checks them, and keeps
/// per instance an `InstanceDirectory` with its conf files, pid file, log and
/// the digest of the configuration it runs with. A restarted agent re-attaches
/// to the processes it finds there.
actor InstanceSupervisor {
    struct Instance {
        var service: String
        var role: String
        var pid: pid_t?
        var digest: String?
        /// The role's process spec as last started (nil: found on disk without one; checked as `.process`).
        var spec: ProcessSpec?
        var configuration: [String: String] = [:]
        /// The last live health check's answer, and when it was taken.
        var health: HealthStatus = .unknown
        var checkedAt: ContinuousClock.Instant?
        /// A live check is in flight: the next is not started before it ends.
        var checking = false

        var check: HealthCheck { spec?.check ?? .process }
    }

    struct Outcome {
        var succeeded: Bool
        var detail: String
        var exitCode: Int32? = nil
        var outputTail: String = ""
        /// A failure more specific than the task's own (14007, 14008).
        var errorCode: ErrorCode? = nil
    }

    /// A process just spawned, and where its output of this start begins in the log.
    struct Launch {
        let pid: pid_t
        let log: String
        let offset: UInt64

        func output(maxBytes: Int = 4096) -> String {
            ProcessControl.tail(of: log, from: offset, maxBytes: maxBytes)
        }
    }

    let root: String
    let http: HTTPClient
    let logger: Logger
    /// The host's name, for messages, and its address, where health checks look.
    let host: String
    let checker: HealthChecker
    var instances: [String: Instance] = [:]
    let reaper: Reaper
    /// Task id to role, while the task runs; roles whose running start is aborted.
    var inFlight: [Int64: String] = [:]
    private var aborting: Set<String> = []
    /// Called when a live check changes what a report would say, so that the
    /// agent sends a heartbeat at once rather than at its next interval.
    var onChange: @Sendable () -> Void = {}

    init(root: String, http: HTTPClient, logger: Logger, host: String = "this host", address: String = "127.0.0.1") {
        self.root = root
        self.http = http
        self.logger = logger
        self.host = host
        let reaper = Reaper()
        self.reaper = reaper
        self.checker = HealthChecker(http: http, address: address, reaper: reaper)
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        self.instances = Self.scan(root: root, logger: logger)
    }

    func directory(_ role: String) -> InstanceDirectory { InstanceDirectory(root: root, role: role) }

    // MARK: tasks

    func run(_ task: AgentTask, output: @escaping @Sendable (String) -> Void = { _ in }) async -> Outcome {
        inFlight[task.taskId] = task.instance.role
        defer { inFlight[task.taskId] = nil }
        switch task.operation {
        case .start: return await start(task, output: output)
        case .stop: return await stop(role: task.instance.role, timeout: task.process.stopTimeoutSeconds)
        case .remove: return await remove(role: task.instance.role, timeout: task.process.stopTimeoutSeconds)
        case .restart: return await restart(task, output: output)
        }
    }

    /// Stop, then start, answering once the new process is healthy (or failed):
    /// a rolling restart's next batch waits on exactly that. An instance that
    /// was not running is started.
    func restart(_ task: AgentTask, output: @escaping @Sendable (String) -> Void = { _ in }) async -> Outcome {
        let stopped = await stop(role: task.instance.role, timeout: task.process.stopTimeoutSeconds)
        guard stopped.succeeded else { return stopped }
        // The task's own timeout covers the stop too; the start gets the role's start timeout.
        var start = task
        start.timeoutSeconds = task.process.startTimeoutSeconds
        var started = await self.start(start, output: output)
        started.detail = "\(stopped.detail), then \(started.detail)"
        return started
    }

    /// Prepares the instance's directory, spawns its process, and waits until
    /// the process is healthy, exits, is aborted or outlasts the start timeout.
    func start(_ task: AgentTask, output: @escaping @Sendable (String) -> Void = { _ in }) async -> Outcome {
        if let running = alreadyRunning(task) { return running }
        let directory = directory(task.instance.role)
        do {
            try directory.prepare(for: task)
        } catch {
            return Outcome(succeeded: false, detail: "cannot write configuration files: \(error)")
        }
        let (environment, workingDirectory) = launchSettings(task.instance, task.process, values: task.configuration, directory: directory)
        let argv = ConfigRenderer.substitute(task.process.start, values: task.configuration, extra: placeholders(directory))
        if let missing = missingSoftware(task, argv0: argv.first ?? "", path: environment["PATH"] ?? "") { return missing }
        do {
            try FileManager.default.createDirectory(atPath: workingDirectory, withIntermediateDirectories: true)
        } catch {
            return Outcome(succeeded: false, detail: "cannot create the working directory \(workingDirectory): \(error)")
        }
        if let failed = await prepareOnce(task, directory: directory, environment: environment, workingDirectory: workingDirectory) {
            return failed
        }
        let launch: Launch
        do {
            launch = try spawn(task, argv, environment: environment, workingDirectory: workingDirectory, in: directory)
        } catch {
            return Outcome(succeeded: false, detail: "\(error)")
        }
        return await waitForHealth(task, launch, output: output)
    }

    private func alreadyRunning(_ task: AgentTask) -> Outcome? {
        guard let instance = instances[task.instance.role], let pid = instance.pid, reaper.liveness(pid) == .running else {
            return nil
        }
        let stale = instance.digest != task.configDigest ? "; its configuration is older than the saved one, restart to apply it" : ""
        return Outcome(succeeded: true, detail: "already running (pid \(pid))\(stale)")
    }

    private func spawn(_ task: AgentTask, _ argv: [String], environment: [String: String], workingDirectory: String,
                       in directory: InstanceDirectory) throws -> Launch {
        let offset = ProcessControl.fileSize(directory.log)
        let pid = try ProcessControl.spawn(argv, environment: environment, logPath: directory.log, workingDirectory: workingDirectory)
        reaper.forget(pid)
        directory.recordStart(pid: pid, digest: task.configDigest)
        instances[task.instance.role] = Instance(
            service: task.instance.service, role: task.instance.role, pid: pid, digest: task.configDigest,
            spec: task.process, configuration: task.configuration)
        logger.info("started", metadata: ["instance": "\(task.instance)", "pid": "\(pid)"])
        return Launch(pid: pid, log: directory.log, offset: offset)
    }

    /// A role's environment: what its stack declares, over a minimal PATH,
    /// HOME and LANG. Nothing of the agent's own environment is passed on,
    /// so a secret it was given (`STEWARD_AGENT_TOKEN`) never reaches a role.
    static func environment(for instance: InstanceRef, declared: [String: String],
                            home: String = NSHomeDirectory()) -> [String: String] {
        var environment = [
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": home,
            "LANG": "C.UTF-8",
        ]
        environment.merge(declared) { _, stack in stack }
        environment["STEWARD_INSTANCE"] = instance.description
        environment["STEWARD_SERVICE"] = instance.service
        return environment
    }

    private func waitForHealth(_ task: AgentTask, _ launch: Launch, output: @Sendable (String) -> Void) async -> Outcome {
        let deadline = ContinuousClock.now + .seconds(task.timeoutSeconds)
        var progress = ProgressOutput()
        var delay = Duration.milliseconds(5)
        while ContinuousClock.now < deadline && !Task.isCancelled {
            if let outcome = await look(at: task, launch) { return outcome }
            progress.offer({ launch.output() }, to: output)
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(100))
        }
        if Task.isCancelled {
            // The agent is shutting down: leave the process to its start; a restarted agent re-attaches.
            return Outcome(succeeded: false, detail: "the agent stopped while the process was starting")
        }
        _ = await reaper.killGroup(launch.pid)
        clearPid(task.instance.role, launch.pid)
        return Outcome(succeeded: false, detail: "not healthy within \(task.timeoutSeconds) s; the process was killed",
                       outputTail: launch.output())
    }

    /// One look at a starting process: the outcome once it has exited, been
    /// aborted or become healthy; nil while it is still starting.
    private func look(at task: AgentTask, _ launch: Launch) async -> Outcome? {
        let role = task.instance.role
        switch reaper.liveness(launch.pid) {
        case .exited(let status):
            clearPid(role, launch.pid)
            return Self.failure("exited with status \(status)", output: launch.output(), exitCode: status)
        case .gone:
            clearPid(role, launch.pid)
            return Self.failure("the process disappeared", output: launch.output())
        case .running:
            if aborting.remove(role) != nil {
                let stopped = await stop(role: role, timeout: task.process.stopTimeoutSeconds)
                logger.info("aborted", metadata: ["instance": "\(task.instance)", "pid": "\(launch.pid)", "stop": "\(stopped.detail)"])
                return Outcome(succeeded: false, detail: "aborted; the process was \(stopped.detail)", outputTail: launch.output())
            }
            guard await checker.healthy(task.process.check, target(role)) else { return nil }
            // Healthy as of now: the live checks take over from here, at the role's interval.
            instances[role]?.health = .good
            instances[role]?.checkedAt = ContinuousClock.now
            return Outcome(succeeded: true, detail: "started (pid \(launch.pid))", outputTail: launch.output(maxBytes: 1024))
        }
    }

    /// A failed start, its reason followed by the process's last words.
    static func failure(_ reason: String, output: String, exitCode: Int32? = nil) -> Outcome {
        let words = ProcessControl.lastLine(of: output).map { ": " + $0 } ?? ""
        return Outcome(succeeded: false, detail: reason + words, exitCode: exitCode, outputTail: output)
    }

    /// Aborts running tasks: a start in progress stops its process (SIGTERM,
    /// then SIGKILL after the stop timeout); a stop in progress goes on, as it
    /// is what an abort wants anyway.
    func abort(_ taskIDs: [Int64]) {
        for id in taskIDs {
            if let role = inFlight[id] { aborting.insert(role) }
        }
    }

    /// SIGTERM to the instance's process group, SIGKILL after `timeout` seconds.
    func stop(role: String, timeout: Int) async -> Outcome {
        guard let pid = instances[role]?.pid, reaper.liveness(pid) == .running else {
            clearPid(role, instances[role]?.pid)
            return Outcome(succeeded: true, detail: "not running")
        }
        let outcome = await reaper.stopGroup(pid, grace: .seconds(timeout))
        if outcome != .survived { clearPid(role, pid) }
        switch outcome {
        case .notRunning, .terminated:
            logger.info("stopped", metadata: ["role": "\(role)", "pid": "\(pid)"])
            return Outcome(succeeded: true, detail: "stopped (pid \(pid))")
        case .killed:
            return Outcome(succeeded: true, detail: "killed (pid \(pid)) after it ignored SIGTERM for \(timeout) s")
        case .survived:
            return Outcome(succeeded: false, detail: "pid \(pid) survived SIGKILL")
        }
    }

    /// Drops a stopped instance from what the agent reports (its directory is gone).
    func forget(role: String) {
        guard instances[role]?.pid == nil else { return }
        instances[role] = nil
    }

    /// On `--stop-instances-on-exit`: stops every running instance.
    func stopAll() async {
        for (role, instance) in instances where instance.pid != nil {
            _ = await stop(role: role, timeout: 10)
        }
    }

    /// Forgets the instance's process, unless another start has replaced it meanwhile.
    func clearPid(_ role: String, _ pid: pid_t?) {
        guard let current = instances[role]?.pid, pid == nil || pid == current else { return }
        instances[role]?.pid = nil
        instances[role]?.health = .unknown
        instances[role]?.checkedAt = nil
        directory(role).removePid()
    }

    static func nowMicros() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }

    /// Re-attaches to the processes of a previous run: a pid counts only if it
    /// lives and its command line names this instance's directory.
    static func scan(root: String, logger: Logger) -> [String: Instance] {
        var found: [String: Instance] = [:]
        for role in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            let directory = InstanceDirectory(root: root, role: role)
            guard let service = directory.service else { continue }
            var instance = Instance(service: service, role: role)
            instance.configuration = directory.configuration
            instance.spec = directory.processSpec
            if let pid = directory.pid, ProcessControl.liveness(pid) == .running,
               ProcessControl.commandLine(pid)?.contains(directory.path) ?? true {
                instance.pid = pid
                instance.digest = directory.digest
                logger.info("re-attached", metadata: ["role": "\(role)", "pid": "\(pid)"])
            }
            found[role] = instance
        }
        return found
    }
}

/// A starting process's output as it grows, for the task's live output:
/// passed on only when it changed, and at most twice a second.
struct ProgressOutput {
    private var last = ""
    private var lastSent = ContinuousClock.now

    mutating func offer(_ read: () -> String, to send: (String) -> Void) {
        guard ContinuousClock.now - lastSent > .milliseconds(500) else { return }
        lastSent = ContinuousClock.now
        let output = read()
        guard output != last else { return }
        last = output
        send(output)
    }
}
