#if canImport(Glibc)
import Glibc
#endif
import AsyncHTTPClient
import Foundation
import Logging
import StewardAPI
import StewardSystem
import Testing
@testable import StewardAgent

/// The supervisor over real `/bin/sh` processes: start (prepare, spawn, wait
/// for health), its failures, stop, abort and re-attach.
@Suite struct InstanceSupervisorTests {
    let root = NSTemporaryDirectory() + "steward-supervisor-\(UUID().uuidString)"
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func supervisor() -> InstanceSupervisor {
        InstanceSupervisor(root: root, http: .shared, logger: logger)
    }

    /// Port 1 on loopback: nothing listens there, so a tcp check never passes.
    func task(_ id: Int64, _ script: String, check: HealthCheck = .process, timeout: Int = 30,
              stopTimeout: Int = 5, operation: StewardAPI.Operation = .start) -> AgentTask {
        AgentTask(taskId: id, commandId: 1, instance: InstanceRef(service: "Svc", role: "Role", host: "host-1"),
                  operation: operation,
                  process: ProcessSpec(start: ["/bin/sh", "-c", script, "{instance_dir}"], check: check,
                                       startTimeoutSeconds: timeout, stopTimeoutSeconds: stopTimeout),
                  configuration: ["port": "1", "greeting": "hello"],
                  configFiles: [ConfigFileSpec(name: "role.json", format: .json), ConfigFileSpec(name: "role.properties", format: .properties)],
                  configDigest: "digest-\(id)", timeoutSeconds: timeout)
    }

    var log: String { root + "/Role/Role.log" }

    func cleanUp(_ supervisor: InstanceSupervisor) async {
        _ = await supervisor.stop(role: "Role", timeout: 1)
        try? FileManager.default.removeItem(atPath: root)
    }

    @Test("a start renders the conf files, records the pid and digest, and succeeds once healthy; stop ends it")
    func startAndStop() async throws {
        let supervisor = supervisor()
        let started = await supervisor.run(task(1, "exec sleep 30"))
        #expect(started.succeeded, "\(started.detail)")
        let pid = try #require(pid_t(String(started.detail.drop { !$0.isNumber }.prefix { $0.isNumber })))
        #expect(started.detail == "started (pid \(pid))")
        #expect(try String(contentsOfFile: root + "/Role/pid", encoding: .utf8) == "\(pid)\n")
        #expect(ConfigRenderer.read(json: root + "/Role/conf/role.json") == ["port": "1", "greeting": "hello"])
        #expect(try String(contentsOfFile: root + "/Role/conf/role.properties", encoding: .utf8) == "greeting=hello\nport=1\n")
        let report = try #require(await supervisor.report(role: "Role"))
        #expect(report.status == .started && report.pid == pid && report.configDigest == "digest-1")

        let again = await supervisor.run(task(2, "exec sleep 30"))
        #expect(again.detail == "already running (pid \(pid)); its configuration is older than the saved one, restart to apply it")

        let stopped = await supervisor.run(task(3, "", operation: .stop))
        #expect(stopped.succeeded && stopped.detail == "stopped (pid \(pid))")
        #expect(ProcessControl.liveness(pid) != .running)
        #expect(!FileManager.default.fileExists(atPath: root + "/Role/pid"))
        #expect(await supervisor.report(role: "Role")?.status == .stopped)
        await cleanUp(supervisor)
    }

    @Test("a process that exits while starting fails with its status and its last words")
    func exitsWhileStarting() async {
        let supervisor = supervisor()
        let outcome = await supervisor.run(task(1, "echo starting; echo 'error: port 1 is already in use'; exit 3",
                                                check: .tcp(portParameter: "port")))
        #expect(!outcome.succeeded)
        #expect(outcome.exitCode == 3)
        #expect(outcome.detail == "exited with status 3: error: port 1 is already in use")
        #expect(outcome.outputTail.hasPrefix("starting\n"))
        await cleanUp(supervisor)
    }

    @Test("a start that is not healthy by its timeout fails and its process group is killed")
    func startTimeout() async throws {
        let supervisor = supervisor()
        let outcome = await supervisor.run(task(1, "echo waiting $$; sleep 30 & wait", check: .tcp(portParameter: "port"), timeout: 1))
        #expect(!outcome.succeeded)
        #expect(outcome.detail == "not healthy within 1 s; the process was killed")
        let pid = try #require(pid_t(outcome.outputTail.dropFirst("waiting ".count).prefix { $0.isNumber }), "\(outcome.outputTail)")
        #expect(await supervisor.report(role: "Role")?.status == .stopped)
        // The shell's own child (sleep) is in its group, and goes with it.
        try await waitFor("the process group to end") { !Self.groupAlive(pid) }
        await cleanUp(supervisor)
    }

    @Test("a stop sends SIGKILL to a process that ignores SIGTERM for the stop timeout")
    func stopIgnoringSIGTERM() async throws {
        let supervisor = supervisor()
        let started = await supervisor.run(task(1, "trap '' TERM; echo ready; exec sleep 30", stopTimeout: 1))
        #expect(started.succeeded)
        try await waitFor("the trap") { ProcessControl.tail(of: log).contains("ready") }
        let pid = try #require(await supervisor.report(role: "Role")?.pid)
        let stopped = await supervisor.stop(role: "Role", timeout: 1)
        #expect(stopped.succeeded)
        #expect(stopped.detail == "killed (pid \(pid)) after it ignored SIGTERM for 1 s")
        await cleanUp(supervisor)
    }

    @Test("an abort stops a start in progress, which fails saying so")
    func abortWhileStarting() async throws {
        let supervisor = supervisor()
        let start = Task { await supervisor.run(task(5, "echo ready; exec sleep 30", check: .tcp(portParameter: "port"))) }
        try await waitFor("the process to start") { ProcessControl.tail(of: log).contains("ready") }
        await supervisor.abort([5])
        let outcome = await start.value
        #expect(!outcome.succeeded)
        #expect(outcome.detail.hasPrefix("aborted; the process was stopped (pid "), "\(outcome.detail)")
        #expect(await supervisor.report(role: "Role")?.status == .stopped)
        await cleanUp(supervisor)
    }

    @Test("a new supervisor on the same directory re-attaches to the running process and can stop it")
    func reattach() async throws {
        let first = supervisor()
        #expect(await first.run(task(1, "sleep 30 & wait")).succeeded)
        let pid = try #require(await first.report(role: "Role")?.pid)

        let second = supervisor()
        let report = try #require(await second.report(role: "Role"))
        #expect(report.pid == pid && report.status == .started && report.service == "Svc" && report.configDigest == "digest-1")
        #expect(await second.stop(role: "Role", timeout: 5).detail == "stopped (pid \(pid))")
        #expect(await first.report(role: "Role")?.status == .stopped)
        await cleanUp(second)
    }

    /// Whether any live (not zombie) process is in the group, from /proc/<pid>/stat:
    /// "pid (comm) state ppid pgrp ...".
    static func groupAlive(_ pgid: pid_t) -> Bool {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
        return pids.contains { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && fields[0] != "Z" && fields[0] != "X" && pid_t(fields[2]) == pgid
        }
    }
}

/// Waits for a condition (no fixed sleeps), at most a minute.
func waitFor(_ what: String, _ condition: @Sendable () async -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(60)
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("timed out waiting for \(what)")
}
