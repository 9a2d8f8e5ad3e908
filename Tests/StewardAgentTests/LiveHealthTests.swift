#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import StewardAPI
import StewardSystem
import Testing
@testable import StewardAgent

/// The agent keeps checking running instances: a process killed with SIGKILL
/// is seen at the next liveness round, and a health check that turns bad is
/// reported at once (`onChange`), not at the next start.
@Suite struct LiveHealthTests {
    let root = NSTemporaryDirectory() + "steward-live-\(UUID().uuidString)"
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func task(check: HealthCheck) -> AgentTask {
        AgentTask(taskId: 1, commandId: 1, instance: InstanceRef(service: "Svc", role: "Role", host: "host-1"), operation: .start,
                  process: ProcessSpec(start: ["/bin/sh", "-c", "touch {instance_dir}/healthy; exec sleep 60"], check: check,
                                       startTimeoutSeconds: 10, stopTimeoutSeconds: 2, checkIntervalSeconds: 1),
                  configuration: [:], configFiles: [], configDigest: "d", timeoutSeconds: 10)
    }

    @Test func aKilledProcessIsSeenByTheNextLivenessRound() async throws {
        let supervisor = InstanceSupervisor(root: root, http: .shared, logger: logger)
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(await supervisor.run(task(check: .process)).succeeded)
        let pid = try #require(await supervisor.report(role: "Role")?.pid)
        #expect(await supervisor.monitor() == false, "nothing changed yet")
        kill(pid, SIGKILL)
        // Wait for the condition: the kernel ends the process as soon as it can.
        var seen = false
        for _ in 0..<500 where !seen {
            seen = await supervisor.monitor()
            if !seen { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(seen)
        let report = try #require(await supervisor.report(role: "Role"))
        #expect(report.status == .stopped && report.health == .unknown && report.pid == nil)
    }

    @Test func aHealthCheckThatTurnsBadIsReportedAtOnce() async throws {
        let supervisor = InstanceSupervisor(root: root, http: .shared, logger: logger)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (changes, changed) = AsyncStream.makeStream(of: Void.self)
        await supervisor.setOnChange { changed.yield() }
        let check = HealthCheck.command(argv: ["test", "-e", "{instance_dir}/healthy"], timeoutSeconds: 5)
        #expect(await supervisor.run(task(check: check)).succeeded)
        #expect(await supervisor.report(role: "Role")?.health == .good)
        try FileManager.default.removeItem(atPath: root + "/Role/healthy")
        // Its interval passed: the next round starts a check, whose answer comes back on its own.
        await supervisor.monitor(now: .now + .seconds(2))
        var iterator = changes.makeAsyncIterator()
        _ = await iterator.next()
        let report = try #require(await supervisor.report(role: "Role"))
        #expect(report.status == .started && report.health == .bad)
        // And back: healthy again is a change too.
        _ = FileManager.default.createFile(atPath: root + "/Role/healthy", contents: Data())
        await supervisor.monitor(now: .now + .seconds(4))
        _ = await iterator.next()
        #expect(await supervisor.report(role: "Role")?.health == .good)
        _ = await supervisor.stop(role: "Role", timeout: 2)
    }
}
