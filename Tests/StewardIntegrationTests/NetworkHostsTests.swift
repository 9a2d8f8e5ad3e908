#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardAPI
import StewardClient
import StewardStacks
import Testing

/// Issue 12 part 6: hosts that are really apart. Three network namespaces,
/// one agent in each, the manager outside on the bridge, the lab stack's
/// ZooKeeper ensemble across them; then one host's link is cut and restored.
extension IntegrationTests {
    @Test("three hosts in network namespaces: a ZooKeeper ensemble across them keeps quorum when one is cut off, and the agent re-attaches when it is back",
          .enabled(if: NetworkHosts.available && LabSoftware.runnable, "needs root (ip netns) and zookeeper"))
    func hostsInNetworkNamespaces() async throws {
        let net = NetworkHosts(count: 3)
        try await net.setUp()
        let stack = NSTemporaryDirectory() + "steward-netns-\(getpid()).json"
        try Self.networkStack(net).write(toFile: stack, atomically: true, encoding: .utf8)
        let cluster = TestCluster(stack: stack, managerArgs: ["--host", net.bridgeAddress], portShift: 0)
        do {
            try await cluster.startManager(port: 0)
            for i in 1...3 {
                try await cluster.startAgent("host-\(i)", argv: net.command(i, [
                    TestCluster.binary, "agent", "--manager", await cluster.client.baseURL, "--host", "host-\(i)",
                    "--address", net.address(i), "--data-dir", cluster.root + "/host-\(i)",
                    "--token-file", cluster.root + "/manager/agent.token",
                ]))
            }
            try await cluster.waitForHosts(connected: ["host-1", "host-2", "host-3"])
            let api = await cluster.client
            let hosts = try await api.hosts()
            for i in 1...3 { #expect(hosts.first { $0.hostName == "host-\(i)" }?.ip == net.address(i)) }

            let started = try await api.run(.start, "ZooKeeper", onlySelf: true)
            #expect(started.state == .complete, "\(started.errorDescription)")
            let zk = { @Sendable (i: Int) in "\(net.address(i)):2181" }
            #expect(try await zkCli(server: zk(1), ["create", "/netns", "before"]).status == 0)
            let member3 = try await api.instances(service: "ZooKeeper").first { $0.hostName == "host-3" }
            let pid3 = try requireValue(member3?.pid, "QuorumPeer@host-3 has no pid")

            // A task running on host-3 when its link goes: a role that takes minutes to start.
            let slow = try await api.service(.start, "Slow", onlySelf: true)
            #expect(slow.status == 200)
            _ = try await waitFor("the slow start to run on host-3") { () -> Bool? in
                let doc = try await api.progress(slow.envelope.id).envelope.resObj
                return doc?.stepList.flatMap(\.tasks).contains { $0.state == .running } == true ? true : nil
            }
            try await net.setLink(3, up: false)
            _ = try await waitFor("host-3 LOST", timeout: .seconds(30)) { () -> Bool? in
                try await api.hosts().first { $0.hostName == "host-3" }?.status == .lost ? true : nil
            }
            let failed = try await api.wait(for: slow.envelope.id)
            #expect(failed.state == .failed)
            #expect(failed.resObj?.stepList.flatMap(\.tasks).contains { $0.errorCode == ErrorCode.hostLost.rawValue } == true)
            // Two of three members are a quorum: if host-3 led, the other two elect a leader among
            // themselves, and then both are leader or follower (their srvr check) and take writes.
            _ = try await waitFor("host-1 and host-2 serving as a quorum of two", timeout: .seconds(90)) { () -> Bool? in
                let views = try await api.instances(service: "ZooKeeper").filter { $0.hostName != "host-3" }
                return views.count == 2 && views.allSatisfy { $0.healthStatus == .good } ? true : nil
            }
            _ = try await waitFor("a write through host-2", timeout: .seconds(60)) { () -> Bool? in
                let created = try await zkCli(server: zk(2), ["create", "/netns-cut", "during"])
                return created.status == 0 || created.output.contains("Node already exists") ? true : nil
            }
            #expect(try await zkCli(server: zk(1), ["get", "/netns-cut"]).output.contains("during"))

            try await net.setLink(3, up: true)
            try await cluster.waitForHosts(connected: ["host-3"])
            let back = try await waitFor("QuorumPeer@host-3 reported running again") { () -> InstanceView? in
                let view = try await api.instances(service: "ZooKeeper").first { $0.hostName == "host-3" }
                return view?.operationalStatus == .started ? view : nil
            }
            #expect(back.pid == pid3, "the agent re-attached to the member it left running")
            _ = try await waitFor("host-3's member caught up", timeout: .seconds(60)) { () -> Bool? in
                let got = try await zkCli(server: zk(3), ["get", "/netns-cut"])
                return got.output.contains("during") ? true : nil
            }
        } catch {
            await cluster.stop()
            await net.tearDown()
            throw error
        }
        await cluster.stop()
        await net.tearDown()
        try? FileManager.default.removeItem(atPath: stack)
    }

    /// The lab stack's ZooKeeper, placed on the namespaces' addresses, and a
    /// role on host-3 whose start takes ten minutes.
    static func networkStack(_ net: NetworkHosts) throws -> String {
        let lab = try requireValue(StackLoader.bundled["lab"], "no bundled lab stack")
        var stack = try requireValue(try JSONSerialization.jsonObject(with: Data(lab.utf8)) as? [String: Any], "lab is not an object")
        var cluster = try requireValue(stack["cluster"] as? [String: Any], "no cluster")
        cluster["hosts"] = (1...3).map { ["name": "host-\($0)", "address": net.address($0)] }
        stack["cluster"] = cluster
        let services = try requireValue(stack["services"] as? [[String: Any]], "no services")
        let slow: [String: Any] = [
            "name": "Slow", "description": "A start that never ends in time.",
            "roles": [[
                "name": "SlowServer", "description": "Sleeps.", "hosts": ["host-3"],
                "process": ["start": ["sleep", "600"], "check": ["type": "tcp", "port_parameter": "port"],
                            "start_timeout_seconds": 600],
                "configurations": [["name": "port", "type": "PORT", "default": "21500", "description": "Never bound."]],
            ]],
        ]
        stack["services"] = services.filter { $0["name"] as? String == "ZooKeeper" } + [slow]
        return String(decoding: try JSONSerialization.data(withJSONObject: stack), as: UTF8.self)
    }
}
