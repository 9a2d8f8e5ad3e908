#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardClient
import StewardAPI
import Testing

extension IntegrationTests {
    @Test("an instance whose port is held fails its start; the other instances are unaffected")
    func heldPortFailsOneInstance() async throws {
        try await withCluster { cluster, api in
            let held = try await cluster.port("GatewayServer@host-2")
            let holder = try PortHolder(port: held)
            defer { holder.release() }
            let result = try await api.run(.start, "Gateway", onlySelf: false)
            #expect(result.state == .failed)
            #expect(result.errorCode == ErrorCode.taskFailed.rawValue)
            #expect(result.totalProgress < 100)
            #expect(result.failEntities == ["GatewayServer@host-2 START"])
            #expect(result.errorDescription.contains("GatewayServer@host-2"))
            let failed = try #require(result.task("GatewayServer@host-2", in: "Start GatewayServer"))
            #expect(failed.state == .failed)
            #expect(failed.detail.contains("port \(held) is already in use"), "\(failed.detail)")
            #expect(failed.outputTail?.contains("already in use") == true)
            #expect(result.task("GatewayServer@host-3", in: "Start GatewayServer")?.state == .succeeded)

            let instances = try await api.instances()
            for view in instances where view.name != "GatewayServer@host-2" {
                #expect(view.operationalStatus == .started, "\(view.name) is \(view.operationalStatus)")
            }
            #expect(instances.first { $0.name == "GatewayServer@host-2" }?.operationalStatus == .stopped)
            let other = try await cluster.port("GatewayServer@host-3")
            #expect(await roleAnswer(port: other)?.status == 200)
        }
    }

    @Test("a second command on a busy service is refused and names the running command")
    func busyServiceRefusesSecondCommand() async throws {
        try await withCluster { cluster, api in
            let slow = try await api.saveConfiguration(instanceValue("Storage", "StorageNode", "host-2", "startup_delay_ms", "3000", restart: false))
            #expect(slow.status == 200)
            let first = try await api.service(.start, "Storage", onlySelf: true)
            #expect(first.status == 200)
            let second = try await api.service(.start, "Storage", onlySelf: true)
            #expect(second.status == 409)
            #expect(second.envelope.state == .failed)
            #expect(second.envelope.id == -1)
            #expect(second.envelope.errorCode == ErrorCode.serviceBusy.rawValue)
            #expect(second.envelope.errorDescription.contains("command \(first.envelope.id)"))
            // A command whose plan includes the busy service is refused too.
            let dependent = try await api.service(.stop, "Coordinator", onlySelf: false)
            #expect(dependent.status == 409)
            // A command on a service the running one does not touch goes ahead.
            let other = try await api.service(.start, "Coordinator", onlySelf: true)
            #expect(other.status == 200)
            #expect(other.envelope.id == first.envelope.id + 1, "a refused request must not consume a command id")
            #expect(try await api.wait(for: first.envelope.id).state == .complete)
            #expect(try await api.wait(for: other.envelope.id).state == .complete)
            // Once it ended, the service takes commands again.
            #expect(try await api.run(.stop, "Storage", onlySelf: true).state == .complete)
        }
    }

    @Test("an agent killed mid-command fails its tasks within the heartbeat timeout")
    func lostAgentFailsItsTasks() async throws {
        try await withCluster { cluster, api in
            let id = try await startStorageWithSlowNode(api)
            await cluster.signalAgent("host-3", SIGKILL)
            let result = try await api.wait(for: id, timeout: .seconds(30))
            #expect(result.state == .failed)
            #expect(result.failEntities == ["StorageNode@host-3 START"])
            let task = try #require(result.task("StorageNode@host-3", in: "Start StorageNode"))
            #expect(task.errorCode == ErrorCode.hostLost.rawValue)
            #expect(result.task("StorageNode@host-1", in: "Start StorageNode")?.state == .succeeded)
            let hosts = try await api.hosts()
            #expect(hosts.first { $0.hostName == "host-3" }?.status == .lost)
            #expect(try await api.instances().filter { $0.hostName == "host-3" }.allSatisfy { $0.operationalStatus == .unknown })
        }
    }

    @Test("an agent restarted mid-command fails the tasks its old process held at once (14006), not at a timeout")
    func restartedAgentFailsItsPredecessorsTasks() async throws {
        // Heartbeats would take 60 s to call the host lost: only the new process's registration can end the task.
        try await withCluster(managerArgs: ["--heartbeat-timeout-ms", "60000"]) { cluster, api in
            let id = try await startStorageWithSlowNode(api)
            // The agent holds the task: it spawned the process, and a heartbeat
            // came after (its poll acknowledged the task long before).
            let pidFile = cluster.root + "/host-3/instances/StorageNode/pid"
            _ = try await waitFor("host-3's agent to spawn StorageNode") { FileManager.default.fileExists(atPath: pidFile) ? true : nil }
            let seen = try await api.hosts().first { $0.hostName == "host-3" }?.lastHeartbeat ?? 0
            _ = try await waitFor("a heartbeat of host-3 after the spawn") { () -> Bool? in
                (try await api.hosts().first { $0.hostName == "host-3" }?.lastHeartbeat ?? 0) > seen ? true : nil
            }
            await cluster.signalAgent("host-3", SIGKILL)
            try await cluster.startAgent("host-3")
            let result = try await api.wait(for: id, timeout: .seconds(30))
            #expect(result.state == .failed)
            #expect(result.failEntities == ["StorageNode@host-3 START"])
            let task = try #require(result.task("StorageNode@host-3", in: "Start StorageNode"))
            #expect(task.errorCode == ErrorCode.agentRestarted.rawValue, "\(task.detail)")
            #expect(task.detail.contains("restarted"))
            #expect(result.task("StorageNode@host-1", in: "Start StorageNode")?.state == .succeeded)
            // The new process is the host's agent now, and takes work.
            #expect(try await api.hosts().first { $0.hostName == "host-3" }?.status == .connected)
            #expect(try await api.run(.start, "Gateway", onlySelf: true).state == .complete)
        }
    }

    @Test("a manager killed mid-command (SIGKILL) restarts and the command completes, each process started once")
    func managerRestartResumesUnfinishedCommands() async throws {
        try await withCluster { cluster, api in
            // Slow enough to be running when the manager dies, and to end while it is down.
            _ = try await api.saveConfiguration(instanceValue("Coordinator", "CoordinatorServer", "host-1", "startup_delay_ms", "3000", restart: false))
            let command = try await api.service(.start, "Coordinator", onlySelf: true)
            let id = command.envelope.id
            let pidFile = cluster.root + "/host-1/instances/CoordinatorServer/pid"
            let pid = try await waitFor("host-1's agent to spawn CoordinatorServer") { () -> String? in
                (try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            var seen = try await api.progress(id).envelope.totalProgress
            let port = await cluster.managerPort
            await cluster.signalManager(SIGKILL)
            try await cluster.startManager(port: port)
            // Resumed, never failed, progress never back.
            var wentBack = false
            let result = try await api.wait(for: id, timeout: .seconds(60)) { now in
                if now.totalProgress < seen { wentBack = true }
                seen = max(seen, now.totalProgress)
            }
            #expect(!wentBack, "progress went down")
            #expect(result.state == .complete, "\(result.errorDescription)")
            let view = try #require(try await api.instances().first { $0.name == "CoordinatorServer@host-1" })
            #expect(view.pid.map(String.init) == pid, "started once: the pid is the one spawned before the manager died")
            #expect(view.operationalStatus == .started)
        }
    }

    @Test("total_progress never decreases and is 100 exactly at COMPLETE")
    func progressIsMonotonic() async throws {
        try await withCluster { cluster, api in
            var seen: [(Int, CommandState)] = []
            let reply = try await api.service(.start, "Gateway", onlySelf: false)
            let end = try await api.wait(for: reply.envelope.id, interval: .milliseconds(1)) { seen.append(($0.totalProgress, $0.state)) }
            #expect(end.state == .complete)
            #expect(seen.count > 2)
            for (a, b) in zip(seen, seen.dropFirst()) { #expect(a.0 <= b.0, "progress went from \(a.0) to \(b.0)") }
            for (value, state) in seen { #expect((value == 100) == (state == .complete)) }

            // A failing command never reaches 100.
            _ = try await api.run(.stop, "Storage", onlySelf: false)
            let holder = try PortHolder(port: try await cluster.port("StorageMaster@host-1"))
            defer { holder.release() }
            seen = []
            let failing = try await api.service(.start, "Storage", onlySelf: true)
            let failed = try await api.wait(for: failing.envelope.id, interval: .milliseconds(1)) { seen.append(($0.totalProgress, $0.state)) }
            #expect(failed.state == .failed)
            for (a, b) in zip(seen, seen.dropFirst()) { #expect(a.0 <= b.0) }
            #expect(seen.allSatisfy { $0.0 < 100 })
            #expect(failed.stepNames == ["Start StorageMaster", "Start StorageNode"])
            #expect(failed.resObj?.stepList.last?.state == .skipped)
        }
    }
}

/// Starts Storage with StorageNode@host-3 taking two minutes to listen, and
/// returns the command once that task runs.
func startStorageWithSlowNode(_ api: StewardClient) async throws -> Int64 {
    #expect(try await api.run(.start, "Coordinator", onlySelf: true).state == .complete)
    _ = try await api.saveConfiguration(instanceValue("Storage", "StorageNode", "host-3", "startup_delay_ms", "120000", restart: false))
    let id = try await api.service(.start, "Storage", onlySelf: true).envelope.id
    _ = try await waitFor("the StorageNode step to run") { () -> Bool? in
        let doc = try await api.progress(id).envelope
        return doc.task("StorageNode@host-3", in: "Start StorageNode")?.state == .running ? true : nil
    }
    return id
}
