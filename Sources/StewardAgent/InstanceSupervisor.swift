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
/// per instance a directory with its conf files, pid file, log and the digest
/// of the configuration it runs with. A restarted agent re-attaches to the
/// processes it finds there.
actor InstanceSupervisor {
    struct Instance {
        var service: String
        var role: String
        var pid: pid_t?
        var digest: String?
        var check: HealthCheck = .process
        var configuration: [String: String] = [:]
    }

    struct Outcome {
        var succeeded: Bool
        var detail: String
        var exitCode: Int32? = nil
        var outputTail: String = ""
    }

    let root: String
    let http: HTTPClient
    let logger: Logger
    private var instances: [String: Instance] = [:]
    /// Exit statuses of children reaped by whichever check saw them first, so
    /// that the task waiting on a start still learns how its process ended.
    private var exitStatuses: [pid_t: Int32] = [:]
    /// Task id to role, while the task runs; roles whose running start is aborted.
    private var inFlight: [Int64: String] = [:]
    private var aborting: Set<String> = []

    init(root: String, http: HTTPClient, logger: Logger) {
        self.root = root
        self.http = http
        self.logger = logger
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        self.instances = Self.scan(root: root, logger: logger)
    }

    func dir(_ role: String) -> String { "\(root)/\(role)" }

    // MARK: tasks

    func run(_ task: AgentTask, output: @escaping @Sendable (String) -> Void = { _ in }) async -> Outcome {
        inFlight[task.taskId] = task.instance.role
        defer { inFlight[task.taskId] = nil }
        switch task.operation {
        case .start: return await start(task, output: output)
        case .stop: return await stop(role: task.instance.role, service: task.instance.service,
                                      timeout: task.process.stopTimeoutSeconds)
        }
    }

    func start(_ task: AgentTask, output: @escaping @Sendable (String) -> Void = { _ in }) async -> Outcome {
        let role = task.instance.role
        let dir = dir(role)
        var instance = instances[role] ?? Instance(service: task.instance.service, role: role)
        if let pid = instance.pid, liveness(pid) == .running {
            let stale = instance.digest != task.configDigest ? "; its configuration is older than the saved one, restart to apply it" : ""
            return Outcome(succeeded: true, detail: "already running (pid \(pid))\(stale)")
        }
        do {
            try FileManager.default.createDirectory(atPath: dir + "/conf", withIntermediateDirectories: true)
            try Data(task.instance.service.utf8).write(to: URL(fileURLWithPath: dir + "/service"))
            try JSONEncoder().encode(task.process).write(to: URL(fileURLWithPath: dir + "/process.json"))
            for file in task.configFiles {
                try ConfigRenderer.write(file, values: task.configuration, to: dir + "/conf/" + file.name)
            }
        } catch {
            return Outcome(succeeded: false, detail: "cannot write configuration files: \(error)")
        }
        let logPath = dir + "/\(role).log"
        let offset = ProcessControl.fileSize(logPath)
        let argv = ConfigRenderer.substitute(task.process.start, values: task.configuration, extra: [
            "steward": ProcessControl.ownExecutable(), "conf_dir": dir + "/conf", "instance_dir": dir,
        ])
        var environment = ProcessInfo.processInfo.environment
        environment["STEWARD_INSTANCE"] = task.instance.description
        environment["STEWARD_SERVICE"] = task.instance.service
        let pid: pid_t
        do {
            pid = try ProcessControl.spawn(argv, environment: environment, logPath: logPath)
        } catch {
            return Outcome(succeeded: false, detail: "\(error)")
        }
        exitStatuses[pid] = nil
        try? "\(pid)\n".write(toFile: dir + "/pid", atomically: true, encoding: .utf8)
        try? task.configDigest.write(toFile: dir + "/config.digest", atomically: true, encoding: .utf8)
        instance.pid = pid
        instance.digest = task.configDigest
        instance.check = task.process.check
        instance.configuration = task.configuration
        instances[role] = instance
        logger.info("started", metadata: ["instance": "\(task.instance)", "pid": "\(pid)"])

        let deadline = ContinuousClock.now + .seconds(task.timeoutSeconds)
        var delay = Duration.milliseconds(5)
        var lastOutput = ""
        var lastSent = ContinuousClock.now
        while ContinuousClock.now < deadline && !Swift.Task.isCancelled {
            switch liveness(pid) {
            case .exited(let status):
                clearPid(role)
                let tail = ProcessControl.tail(of: logPath, from: offset)
                return Outcome(succeeded: false, detail: "exited with status \(status)" + Self.lastLine(tail),
                               exitCode: status, outputTail: tail)
            case .gone:
                clearPid(role)
                let tail = ProcessControl.tail(of: logPath, from: offset)
                return Outcome(succeeded: false, detail: "the process disappeared" + Self.lastLine(tail), outputTail: tail)
            case .running:
                if aborting.remove(role) != nil {
                    let stopped = await stop(role: role, service: task.instance.service, timeout: task.process.stopTimeoutSeconds)
                    logger.info("aborted", metadata: ["instance": "\(task.instance)", "pid": "\(pid)", "stop": "\(stopped.detail)"])
                    return Outcome(succeeded: false, detail: "aborted; the process was \(stopped.detail)",
                                   outputTail: ProcessControl.tail(of: logPath, from: offset))
                }
                if await healthy(task.process.check, values: task.configuration) {
                    return Outcome(succeeded: true, detail: "started (pid \(pid))",
                                   outputTail: ProcessControl.tail(of: logPath, from: offset, maxBytes: 1024))
                }
            }
            // The output so far, at most twice a second and only when it changed.
            if ContinuousClock.now - lastSent > .milliseconds(500) {
                lastSent = ContinuousClock.now
                let tail = ProcessControl.tail(of: logPath, from: offset)
                if tail != lastOutput {
                    lastOutput = tail
                    output(tail)
                }
            }
            try? await Swift.Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(100))
        }
        if Swift.Task.isCancelled {
            // The agent is shutting down: leave the process to its start; a restarted agent re-attaches.
            return Outcome(succeeded: false, detail: "the agent stopped while the process was starting")
        }
        ProcessControl.signalGroup(pid, SIGKILL)
        _ = await waitGone(pid, for: .seconds(5))
        clearPid(role)
        let tail = ProcessControl.tail(of: logPath, from: offset)
        return Outcome(succeeded: false, detail: "not healthy within \(task.timeoutSeconds) s; the process was killed",
                       outputTail: tail)
    }

    /// Aborts running tasks: a start in progress stops its process (SIGTERM,
    /// then SIGKILL after the stop timeout); a stop in progress goes on, as it
    /// is what an abort wants anyway.
    func abort(_ taskIDs: [Int64]) {
        for id in taskIDs {
            if let role = inFlight[id] { aborting.insert(role) }
        }
    }

    func stop(role: String, service: String, timeout: Int) async -> Outcome {
        guard let pid = instances[role]?.pid, liveness(pid) == .running else {
            clearPid(role)
            return Outcome(succeeded: true, detail: "not running")
        }
        ProcessControl.signalGroup(pid, SIGTERM)
        if await waitGone(pid, for: .seconds(timeout)) {
            clearPid(role)
            logger.info("stopped", metadata: ["role": "\(role)", "pid": "\(pid)"])
            return Outcome(succeeded: true, detail: "stopped (pid \(pid))")
        }
        ProcessControl.signalGroup(pid, SIGKILL)
        if await waitGone(pid, for: .seconds(5)) {
            clearPid(role)
            return Outcome(succeeded: true, detail: "killed (pid \(pid)) after it ignored SIGTERM for \(timeout) s")
        }
        return Outcome(succeeded: false, detail: "pid \(pid) survived SIGKILL")
    }

    /// On `--stop-instances-on-exit`: stops every running instance.
    func stopAll() async {
        for (role, instance) in instances where instance.pid != nil {
            _ = await stop(role: role, service: instance.service, timeout: 10)
        }
    }

    // MARK: status

    func reports() async -> [InstanceReport] {
        var out: [InstanceReport] = []
        for (role, instance) in instances.sorted(by: { $0.key < $1.key }) {
            var running = false
            if let pid = instance.pid {
                running = liveness(pid) == .running
                if !running { clearPid(role) }
            }
            let health: HealthStatus = running
                ? (await healthy(instance.check, values: instance.configuration) ? .good : .bad) : .unknown
            out.append(InstanceReport(
                service: instance.service, role: role, status: running ? .started : .stopped, health: health,
                pid: running ? instance.pid : nil, configDigest: running ? instance.digest : nil,
                observedAt: Self.nowMicros()))
        }
        return out
    }

    func report(role: String) async -> InstanceReport? {
        await reports().first { $0.role == role }
    }

    // MARK: helpers

    func healthy(_ check: HealthCheck, values: [String: String]) async -> Bool {
        switch check {
        case .process:
            return true
        case .tcp(let param):
            guard let port = values[param].flatMap(Int.init) else { return false }
            return ProcessControl.tcpAccepts(port: port)
        case .http(let param, let path):
            // A refused connect answers at once; the HTTP client would retry it until its timeout.
            guard let port = values[param].flatMap(Int.init), ProcessControl.tcpAccepts(port: port) else { return false }
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            // No keep-alive: an idle pooled connection would hold up the process's graceful shutdown.
            request.headers.add(name: "Connection", value: "close")
            guard let response = try? await http.execute(request, timeout: .seconds(1)) else { return false }
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return (200..<300).contains(response.status.code)
        }
    }

    /// `ProcessControl.liveness`, remembering exit statuses for whoever asks next.
    private func liveness(_ pid: pid_t) -> ProcessControl.Liveness {
        if let status = exitStatuses[pid] { return .exited(status: status) }
        let state = ProcessControl.liveness(pid)
        if case .exited(let status) = state {
            exitStatuses[pid] = status
            if exitStatuses.count > 256 { exitStatuses.removeAll() }
        }
        return state
    }

    private func waitGone(_ pid: pid_t, for duration: Duration) async -> Bool {
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline && !Swift.Task.isCancelled {
            if liveness(pid) != .running { return true }
            try? await Swift.Task.sleep(for: .milliseconds(20))
        }
        return liveness(pid) != .running
    }

    private func clearPid(_ role: String) {
        guard instances[role]?.pid != nil else { return }
        instances[role]?.pid = nil
        try? FileManager.default.removeItem(atPath: dir(role) + "/pid")
    }

    static func lastLine(_ text: String) -> String {
        guard let line = text.split(whereSeparator: \.isNewline).last(where: { !$0.allSatisfy(\.isWhitespace) }) else { return "" }
        return ": " + line.prefix(300)
    }

    static func nowMicros() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }

    /// Re-attaches to the processes of a previous run: a pid counts only if it
    /// lives and its command line names this instance's directory.
    static func scan(root: String, logger: Logger) -> [String: Instance] {
        var found: [String: Instance] = [:]
        let roles = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for role in roles {
            let dir = "\(root)/\(role)"
            guard let service = try? String(contentsOfFile: dir + "/service", encoding: .utf8) else { continue }
            var instance = Instance(service: service, role: role)
            instance.configuration = ConfigRenderer.read(json: dir + "/conf/role.json")
            if let data = FileManager.default.contents(atPath: dir + "/process.json"),
               let process = try? JSONDecoder().decode(ProcessSpec.self, from: data) {
                instance.check = process.check
            }
            if let text = try? String(contentsOfFile: dir + "/pid", encoding: .utf8),
               let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
               ProcessControl.liveness(pid) == .running,
               ProcessControl.commandLine(pid)?.contains(dir) ?? true {
                instance.pid = pid
                instance.digest = try? String(contentsOfFile: dir + "/config.digest", encoding: .utf8)
                logger.info("re-attached", metadata: ["role": "\(role)", "pid": "\(pid)"])
            }
            found[role] = instance
        }
        return found
    }
}
