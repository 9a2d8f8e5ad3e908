#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardClient
import StewardAPI
import Testing

/// `steward agent --manager URL1,URL2`: real agents and real managers. Two
/// managers on SQLite share nothing, so these tests run one manager at a time
/// on the same data directory, at the addresses the agents' list names; the
/// multi-manager drills on PostgreSQL are elsewhere.
extension IntegrationTests {
    @Test("agents given a dead manager first register with the live one and run its commands")
    func agentsSkipADeadManager() async throws {
        let cluster = TestCluster()
        do {
            try await cluster.startManager(port: 0)
            let live = await cluster.client.baseURL
            try await startAgents(cluster, managers: "http://127.0.0.1:\(try freePort()),\(live)")
            try await cluster.waitForHosts(connected: ["host-1", "host-2", "host-3"])
            #expect(try await cluster.client.run(.start, "Gateway", onlySelf: true).state == .complete)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    @Test("kill -9 the agents' manager and start one at the next address of their list: they move and re-register as the same process")
    func agentsFollowTheirManagers() async throws {
        let cluster = TestCluster()
        let hosts: Set<String> = ["host-1", "host-2", "host-3"]
        do {
            let first = try freePort()
            let second = try freePort()
            try await cluster.startManager(port: first)
            try await startAgents(cluster, managers: "http://127.0.0.1:\(first),http://127.0.0.1:\(second)")
            try await cluster.waitForHosts(connected: hosts)
            #expect(try await cluster.client.run(.start, "Gateway", onlySelf: true).state == .complete)
            let pids = try await gatewayPids(cluster)

            await cluster.signalManager(SIGKILL)
            let managerLog = cluster.root + "/manager.log"
            let before = (try? Data(contentsOf: URL(fileURLWithPath: managerLog)).count) ?? 0
            try await cluster.startManager(port: second)
            try await cluster.waitForHosts(connected: hosts)
            for host in hosts.sorted() {
                let log = try String(contentsOfFile: cluster.root + "/\(host).log", encoding: .utf8)
                #expect(log.contains("manager unreachable; moving to the next one"), "\(host)")
                #expect(log.contains("manager=http://127.0.0.1:\(second)"), "\(host) registered with the second manager")
            }
            // The same agent processes: the new manager must not take them for restarted ones.
            let log = try Data(contentsOf: URL(fileURLWithPath: managerLog))
            let since = String(decoding: log.dropFirst(before), as: UTF8.self)
            #expect(since.contains("agent registered"))
            #expect(!since.contains("agent restarted"))
            #expect(try await gatewayPids(cluster) == pids, "the role processes went on")
            #expect(try await cluster.client.run(.stop, "Gateway", onlySelf: true).state == .complete)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    private func startAgents(_ cluster: TestCluster, managers: String) async throws {
        for host in ["host-1", "host-2", "host-3"] {
            try await cluster.startAgent(host, argv: [
                TestCluster.binary, "agent", "--manager", managers, "--host", host, "--data-dir", cluster.root + "/" + host,
                "--token-file", cluster.root + "/manager/agent.token",
            ])
        }
    }

    private func gatewayPids(_ cluster: TestCluster) async throws -> [String: Int32] {
        let views = try await cluster.client.instances().filter { $0.serviceName == "Gateway" }
        #expect(!views.isEmpty)
        return Dictionary(uniqueKeysWithValues: views.map { ($0.name, $0.pid ?? 0) })
    }
}
