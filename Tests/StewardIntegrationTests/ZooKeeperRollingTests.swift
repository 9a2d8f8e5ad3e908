import Foundation
import StewardAPI
import StewardClient
import StewardSystem
import Testing

/// The issue's quorum test: a rolling restart of a real three-member
/// ZooKeeper ensemble while a client writes every 100 ms; no write may fail.
///
/// DEPENDS ON issue 12 part 1's `srvr` health check (H1, branch p12-runtime):
/// a TCP check with `send`/`expect`, so that a restarted member counts as
/// healthy only once it is leader or follower again. Before it, the check is
/// a bare connect (`send` and `expect` are ignored), a member is "healthy" as
/// soon as its client port accepts, while it is still LOOKING, and the next
/// batch can take a second member down before the first has rejoined: quorum
/// lost for seconds, and whether a write outlasts the budget is up to timing.
/// Hence disabled until that merge. It needs no template
/// (H2): the three members run on 127.0.0.1 with ports of their own, their
/// `zoo.cfg` is the `properties` rendering of their values and `myid` is
/// written by the start command. The lab stack's own test replaces it later.
///
/// A write "fails" when no member commits it within the writer's retry budget
/// (5 s, `ZooKeeperWriter`): a leader's restart costs an election, which a
/// client with a retry policy rides out. Measured here with the bare connect
/// check, the longest write took 2.4-3.7 s (members restarted before the one
/// before had rejoined); with a 6 s pause standing in for the srvr check,
/// 1.5 s (the election alone). Once the srvr check lands the budget can be
/// tightened to tell the two apart.
extension IntegrationTests {
    @Test("a rolling restart of a ZooKeeper ensemble keeps quorum: a client writing every 100 ms sees no failed write",
          .disabled("needs H1's tcp send/expect health check (srvr: Mode: leader|follower); enable after merging p12-runtime"),
          .enabled(if: FileManager.default.fileExists(atPath: "/usr/share/java/zookeeper.jar"), "ZooKeeper is not installed"))
    func zooKeeperRollingRestartKeepsQuorum() async throws {
        let data = NSTemporaryDirectory() + "steward-zk-\(getpid())-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let client = try (0..<3).map { _ in try freePort() }
        let peers = try (0..<6).map { _ in try freePort() }
        try await withCluster(stackJSON: Self.zooKeeperStack(data: data, client: client, peers: peers)) { _, api in
            let start = try await api.run(.start, "ZooKeeper", onlySelf: true)
            #expect(start.state == .complete, "\(start.errorDescription)")
            let before = try await pids(api)
            let writer = ZooKeeperWriter(ports: client)
            writer.start()
            _ = try await waitFor("a first write", timeout: .seconds(60)) { writer.report.written > 0 ? true : nil }
            writer.reset()
            let reply = try await api.rollingRestart("ZooKeeper", RollingRestartRequest(batchSize: 1), cluster: 1)
            let result = try await api.wait(for: reply.envelope.id, timeout: .seconds(300))
            // A few writes after the last batch: the ensemble must still take them.
            let settled = writer.report.written
            _ = try await waitFor("writes after the restart") { writer.report.written >= settled + 5 ? true : nil }
            let report = await writer.stop()
            #expect(result.state == .complete, "\(result.errorDescription)")
            #expect(result.stepNames.count == 3)
            #expect(report.failed.isEmpty, "\(report.failed.count) of \(report.written + report.failed.count) writes failed: \(report.failed.prefix(5))")
            print("zookeeper rolling restart: \(report.written) writes, none failed: \(report.failed.isEmpty); longest \(report.longestWrite) s")
            let after = try await pids(api)
            for host in ["host-1", "host-2", "host-3"] {
                let name = "QuorumPeer@\(host)"
                #expect(after[name] != nil && after[name] != before[name], "\(name) was restarted")
            }
        }
    }

    /// Three QuorumPeer members on 127.0.0.1, each with its own client, quorum and election ports.
    static func zooKeeperStack(data: String, client: [Int], peers: [Int]) -> String {
        let servers = (0..<3).map { i in
            #"{"name": "server.\#(i + 1)", "type": "STRING", "default": "127.0.0.1:\#(peers[2 * i]):\#(peers[2 * i + 1])", "description": "member \#(i + 1)"}"#
        }.joined(separator: ",\n")
        let instances = (0..<3).map { i in
            #""host-\#(i + 1)": {"clientPort": "\#(client[i])", "myid": "\#(i + 1)", "dataDir": "\#(data)/\#(i + 1)"}"#
        }.joined(separator: ", ")
        let java = "exec java -Xmx128m -cp /usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar "
            + "org.apache.zookeeper.server.quorum.QuorumPeerMain {conf_dir}/zoo.cfg"
        return #"""
        {
          "name": "zk-rolling", "version": "1.0", "description": "A ZooKeeper ensemble on one address",
          "cluster": {"id": 1, "name": "zk", "description": "quorum test", "hosts": ["host-1", "host-2", "host-3"]},
          "services": [{
            "name": "ZooKeeper", "description": "coordination", "version": "3.8",
            "configurations": [
              {"name": "tickTime", "type": "INT", "default": "500", "description": "ms"},
              {"name": "initLimit", "type": "INT", "default": "20", "description": "ticks"},
              {"name": "syncLimit", "type": "INT", "default": "10", "description": "ticks"},
              {"name": "clientPortAddress", "type": "STRING", "default": "127.0.0.1", "description": "address"},
              {"name": "admin.enableServer", "type": "STRING", "default": "false", "description": "no admin server"},
              {"name": "4lw.commands.whitelist", "type": "STRING", "default": "srvr,ruok,mntr", "description": "four-letter words"},
              \#(servers)
            ],
            "roles": [{
              "name": "QuorumPeer", "description": "a member", "hosts": ["host-1", "host-2", "host-3"],
              "process": {
                "start": ["sh", "-c", "mkdir -p {dataDir} && echo {myid} > {dataDir}/myid && \#(java)"],
                "check": {"type": "tcp", "port_parameter": "clientPort", "send": "srvr\n", "expect": ["Mode: leader", "Mode: follower"], "timeout_seconds": 2},
                "start_timeout_seconds": 90,
                "stop_timeout_seconds": 20
              },
              "configurations": [
                {"name": "clientPort", "type": "INT", "default": "2181", "min": 1024, "max": 65535, "description": "client port"},
                {"name": "myid", "type": "INT", "default": "1", "min": 1, "max": 255, "description": "member id"},
                {"name": "dataDir", "type": "STRING", "default": "/tmp", "description": "data"}
              ],
              "instances": {\#(instances)},
              "config_files": [{"name": "zoo.cfg", "format": "properties"}]
            }]
          }]
        }
        """#
    }
}
