#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardAPI
import StewardClient
import StewardSystem
import Testing

/// Issue 12 part 3: a rolling restart of the lab's ZooKeeper ensemble keeps
/// its quorum. A client (Tests/Clients/zk_writer.py, ZooKeeper's own wire
/// protocol) writes every 100 ms throughout, to whichever member takes the
/// write, retrying a dropped connection within its session timeout as
/// ZooKeeper's clients do (restarting the leader costs an election, a second
/// or so without writes). A write fails only if no member takes it in that
/// time, as happens when the ensemble has lost its quorum and waits for
/// members to come back. The QuorumPeer's health check (srvr: leader or
/// follower) is what holds each batch until its member has rejoined.
extension IntegrationTests {
    @Test("a rolling restart of the ZooKeeper ensemble keeps quorum: a client writing every 100 ms sees no failed write",
          .enabled(if: LabSoftware.runnable, LabSoftware.skipReason))
    func rollingRestartKeepsQuorum() async throws {
        try await withLab { cluster, api in
            let started = try await api.run(.start, "ZooKeeper", onlySelf: true)
            #expect(started.state == .complete, "\(started.errorDescription)")
            let before = try await pids(api)
            let stop = cluster.root + "/writer.stop", ready = cluster.root + "/writer.ready", out = cluster.root + "/writer.out"
            let writer = try ProcessControl.spawn([
                Self.python, Browser.repository.appendingPathComponent("Tests/Clients/zk_writer.py").path, "--servers", "127.0.1.1:2181,127.0.1.2:2181,127.0.1.3:2181",
                "--interval", "0.1", "--stop-file", stop, "--ready-file", ready,
            ], environment: ProcessInfo.processInfo.environment, logPath: out, newSession: true)
            defer { kill(-writer, SIGKILL) }
            _ = try await waitFor("the writer's first write") { FileManager.default.fileExists(atPath: ready) ? true : nil }

            let reply = try await api.rollingRestart(
                "ZooKeeper", RollingRestartRequest(batchSize: 1, pauseSeconds: 0, failureTolerance: 0), cluster: 1)
            #expect(reply.status == 200, "\(reply.envelope.errorDescription)")
            let done = try await api.wait(for: reply.envelope.id)
            #expect(done.state == .complete, "\(done.errorDescription)")
            #expect(done.resObj?.stepList.count == 3, "one step per batch of one")

            _ = FileManager.default.createFile(atPath: stop, contents: nil)
            _ = try await waitFor("the writer to finish") { () -> Bool? in
                if case .exited = ProcessControl.liveness(writer) { return true }
                return nil
            }
            let text = try String(contentsOfFile: out, encoding: .utf8)
            let line = try requireValue(text.split(separator: "\n").last { $0.hasPrefix("{") }, "writer said: \(text)")
            let result = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            let writes = result["writes"] as? Int ?? 0
            #expect(writes > 3, "the writer wrote throughout: \(line)")
            print("rolling restart of ZooKeeper: \(done.resObj.map { ($0.endTime ?? 0) - $0.createTime } ?? 0) ms; writer: \(line)")
            #expect(result["failed"] as? Int == 0, "no write failed during the rolling restart: \(line)")
            let after = try await pids(api)
            for (name, pid) in before { #expect(after[name] != nil && after[name] != pid, "\(name) was restarted") }
        }
    }

    static var python: String {
        ProcessInfo.processInfo.environment["STEWARD_TEST_PYTHON"].flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }
            ?? "/usr/bin/python3"
    }
}
