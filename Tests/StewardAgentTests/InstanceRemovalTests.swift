#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import StewardAPI
import StewardSystem
import Testing
@testable import StewardAgent

/// REMOVE: the last task of an instance taken off its host, over a real process.
@Suite struct InstanceRemovalTests {
    let root = NSTemporaryDirectory() + "steward-removal-\(UUID().uuidString)"
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func task(_ id: Int64, _ operation: StewardAPI.Operation) -> AgentTask {
        AgentTask(taskId: id, commandId: 1, instance: InstanceRef(service: "Svc", role: "Role", host: "host-1"),
                  operation: operation,
                  process: ProcessSpec(start: ["/bin/sh", "-c", "exec sleep 30", "{instance_dir}"], check: .process,
                                       startTimeoutSeconds: 10, stopTimeoutSeconds: 5),
                  configuration: ["port": "1"], configFiles: [ConfigFileSpec(name: "role.json", format: .json)],
                  configDigest: "d", timeoutSeconds: 10)
    }

    @Test("a removal stops the running process, deletes the instance's directory and stops reporting it")
    func removeRunning() async throws {
        let supervisor = InstanceSupervisor(root: root, http: .shared, logger: logger)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let started = await supervisor.run(task(1, .start))
        #expect(started.succeeded, "\(started.detail)")
        let pid = try #require(await supervisor.report(role: "Role")?.pid)
        let removed = await supervisor.run(task(2, .remove))
        #expect(removed.succeeded, "\(removed.detail)")
        #expect(removed.detail == "deleted \(root)/Role; it was stopped (pid \(pid))")
        #expect(ProcessControl.liveness(pid) != .running)
        #expect(!FileManager.default.fileExists(atPath: root + "/Role"))
        #expect(await supervisor.reports().isEmpty)
        // A restarted agent finds nothing to re-attach to.
        #expect(InstanceSupervisor.scan(root: root, logger: logger).isEmpty)
        // Again: nothing left, and that is success.
        let again = await supervisor.run(task(3, .remove))
        #expect(again.succeeded && again.detail == "nothing to clean up: \(root)/Role does not exist")
    }

    @Test("a stopped instance's directory is deleted too")
    func removeStopped() async throws {
        let supervisor = InstanceSupervisor(root: root, http: .shared, logger: logger)
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(await supervisor.run(task(1, .start)).succeeded)
        #expect(await supervisor.run(task(2, .stop)).succeeded)
        #expect(FileManager.default.fileExists(atPath: root + "/Role/Role.log"))
        let removed = await supervisor.run(task(3, .remove))
        #expect(removed.succeeded && removed.detail == "deleted \(root)/Role; it was not running")
        #expect(!FileManager.default.fileExists(atPath: root + "/Role"))
    }
}
