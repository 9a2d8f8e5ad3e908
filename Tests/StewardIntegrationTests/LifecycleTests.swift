#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardClient
import StewardAPI
import Testing

extension IntegrationTests {
    @Test("start with only_self=false starts dependencies first; stop and restart follow the dependencies")
    func startStopRestart() async throws {
        try await withCluster { cluster, api in
            let started = try await api.run(.start, "Gateway", onlySelf: false)
            #expect(started.state == .complete)
            #expect(started.totalProgress == 100)
            #expect(started.stepNames == ["Start CoordinatorServer", "Start StorageMaster", "Start StorageNode", "Start GatewayServer"])
            #expect(started.resObj?.totalStepSize == 4)
            #expect(started.resObj?.failEntityList.isEmpty == true)
            let all = try await api.instances()
            #expect(all.count == 9)
            #expect(all.allSatisfy { $0.operationalStatus == .started }, "\(all.map { "\($0.name)=\($0.operationalStatus)" })")
            for instance in all {
                let port = try #require(instance.configurations["port"].flatMap(Int.init))
                let answer = await roleAnswer(port: port)
                #expect(answer?.status == 200, "\(instance.name) does not answer on \(port)")
            }
            let health = try await api.get("/web/v1/cluster/1/status", as: ClusterHealth.self)
            #expect(health.envelope.resObj?.state == .good)

            // Stopping the base service stops its dependents first.
            let stopped = try await api.run(.stop, "Coordinator", onlySelf: false)
            #expect(stopped.state == .complete)
            #expect(stopped.stepNames == ["Stop GatewayServer", "Stop StorageNode", "Stop StorageMaster", "Stop CoordinatorServer"])
            for instance in all {
                let port = try #require(instance.configurations["port"].flatMap(Int.init))
                #expect(await roleAnswer(port: port) == nil, "\(instance.name) still answers after stop")
            }
            #expect(try await api.instances().allSatisfy { $0.operationalStatus == .stopped })

            // Restart of one service: stop its roles in reverse, start them in order; new processes.
            _ = try await api.run(.start, "Storage", onlySelf: false)
            let before = try await api.instances(service: "Storage").compactMap(\.pid)
            let restarted = try await api.run(.restart, "Storage", onlySelf: true)
            #expect(restarted.state == .complete)
            #expect(restarted.stepNames == ["Stop StorageNode", "Stop StorageMaster", "Start StorageMaster", "Start StorageNode"])
            let after = try await api.instances(service: "Storage")
            #expect(after.allSatisfy { $0.operationalStatus == .started })
            #expect(Set(after.compactMap(\.pid)).isDisjoint(with: before), "restart kept the old processes")
            #expect(after.count == 4)
        }
    }

    @Test("a restarted agent re-attaches to the processes it started")
    func agentReattaches() async throws {
        try await withCluster { cluster, api in
            _ = try await api.run(.start, "Coordinator", onlySelf: true)
            let pid = try #require(try await api.instances(service: "Coordinator").first { $0.hostName == "host-1" }?.pid)
            await cluster.signalAgent("host-1", SIGTERM)
            #expect(kill(pid, 0) == 0, "the role process must outlive its agent")
            try await cluster.startAgent("host-1")
            try await cluster.waitForHosts(connected: ["host-1"])
            let view = try await waitFor("host-1 to report its instance") { () -> InstanceView? in
                try await api.instances(service: "Coordinator").first { $0.hostName == "host-1" && $0.pid != nil }
            }
            #expect(view.pid == pid)
            #expect(view.operationalStatus == .started)
            // And it still controls it: a stop ends that very process.
            let stopped = try await api.run(.stop, "Coordinator", onlySelf: true)
            #expect(stopped.state == .complete)
            _ = try await waitFor("pid \(pid) to end") { kill(pid, 0) != 0 ? true : nil }
        }
    }
}
