#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardAPI
import StewardClient
import Testing

extension IntegrationTests {
    /// Hosts and placement with real agents: a fourth agent joins with the
    /// join token and is a host; an instance is placed and started there (a
    /// real process), then removed (process and directory gone); bad
    /// placements change nothing; the host is decommissioned, then forgotten.
    @Test("a new agent joins as a host; instances are added, started, removed; the host is decommissioned and forgotten")
    func placement() async throws {
        try await withCluster { cluster, api in
            try await exercisePlacement(cluster, api)
        }
    }

    private func exercisePlacement(_ cluster: TestCluster, _ api: StewardClient) async throws {
        try await cluster.startAgent("host-4")
        try await cluster.waitForHosts(connected: ["host-1", "host-2", "host-3", "host-4"])
        let joined = try #require(try await api.hosts().first { $0.hostName == "host-4" })
        #expect(joined.state == .active && joined.instances.isEmpty && joined.agentState == .active)
        #expect(joined.joinedAt > 0)

        try await refusals(api, unchanged: "before any placement")

        // Added and started: a real process on host-4, the role's next ordinal.
        let add = try await api.addInstance(role: "CoordinatorServer", host: "host-4", cluster: 1)
        let added = try await api.wait(for: add.id)
        #expect(added.state == .complete, "\(added.errorDescription)")
        #expect(added.stepNames == ["Render configuration", "Start CoordinatorServer@host-4"])
        let placed = try #require(try await api.instances().first { $0.name == "CoordinatorServer@host-4" })
        #expect(placed.ordinal == 4)
        #expect(placed.operationalStatus == .started)
        let pid = try #require(placed.pid)
        #expect(kill(pid, 0) == 0)
        let port = try #require(placed.configurations["port"].flatMap(Int.init))
        #expect(await roleAnswer(port: port)?.status == 200)
        #expect(try await api.hosts().first { $0.hostName == "host-4" }?.instances == ["CoordinatorServer@host-4"])

        // A value set for the instance goes with it when it is removed.
        let saved = try await api.saveConfiguration(instanceValue("Coordinator", "CoordinatorServer", "host-4",
                                                                  "startup_delay_ms", "5", restart: false))
        #expect(try await api.wait(for: saved.envelope.id).state == .complete)
        #expect(try await instanceLevel(api).contains("host-4"))

        let remove = try await api.removeInstance("CoordinatorServer@host-4", cluster: 1)
        let removed = try await api.wait(for: remove.id)
        #expect(removed.state == .complete, "\(removed.errorDescription)")
        #expect(removed.stepNames == ["Stop CoordinatorServer@host-4", "Clean up CoordinatorServer@host-4"])
        _ = try await waitFor("the removed instance's process to go") { kill(pid, 0) != 0 ? true : nil }
        #expect(!FileManager.default.fileExists(atPath: cluster.root + "/host-4/instances/CoordinatorServer"))
        #expect(try await api.instances().allSatisfy { $0.hostName != "host-4" })
        #expect(try await !instanceLevel(api).contains("host-4"))

        // Placed again from the CLI, not started: a new ordinal, never the removed one's.
        let url = api.baseURL
        let (addedByCLI, addOut) = try await steward(["instances", "add", "CoordinatorServer", "host-4", "--no-start", "--wait"],
                                                     manager: url)
        #expect(addedByCLI == 0, "\(addOut)")
        let placedOnly = try await api.command(try #require(try await api.commands().commands.first?.id))
        #expect(placedOnly.state == .complete)
        #expect(placedOnly.stepNames == ["Render configuration"])
        let second = try #require(try await api.instances().first { $0.name == "CoordinatorServer@host-4" })
        #expect(second.ordinal == 5 && second.operationalStatus == .stopped)

        // The placement is the store's: a restarted manager has the joined host and the added instance.
        let managerPort = await cluster.managerPort
        await cluster.signalManager(SIGTERM)
        try await cluster.startManager(port: managerPort)
        try await cluster.waitForHosts(connected: ["host-1", "host-2", "host-3", "host-4"])
        #expect(try await api.instances().first { $0.name == "CoordinatorServer@host-4" }?.ordinal == 5)
        #expect(try await api.instances().count == 10)

        try await refusals(api, unchanged: "with an instance on host-4")

        let (missing, missingOut) = try await steward(["instances", "remove", "Nope@host-1"], manager: url)
        #expect(missing != 0 && missingOut.contains("11006"), "\(missingOut)")
        let (decommissionedByCLI, decommissionOut) = try await steward(["hosts", "decommission", "host-4", "--wait"], manager: url)
        #expect(decommissionedByCLI == 0, "\(decommissionOut)")
        let decommissioned = try await api.command(try #require(try await api.commands().commands.first?.id))
        #expect(decommissioned.state == .complete, "\(decommissioned.errorDescription)")
        #expect(decommissioned.stepNames == ["Stop CoordinatorServer", "Clean up host-4", "Decommission host-4"])
        let host4 = try #require(try await api.hosts().first { $0.hostName == "host-4" })
        #expect(host4.state == .decommissioned && host4.instances.isEmpty)
        try await refused(api.addInstance(AddInstanceRequest(role: "StorageNode", host: "host-4"), cluster: 1),
                          409, .hostDecommissioned)

        let (listed, list) = try await steward(["hosts"], manager: url)
        #expect(listed == 0 && list.contains("DECOMMISSIONED"), "\(list)")
        let (forgotten, forgetOut) = try await steward(["hosts", "forget", "host-4"], manager: url)
        #expect(forgotten == 0 && forgetOut.contains("host-4 forgotten"), "\(forgetOut)")
        #expect(try await api.hosts().map(\.hostName) == ["host-1", "host-2", "host-3"])
        #expect(try await api.agentCredentials(cluster: 1).first { $0.hostName == "host-4" }?.state == .revoked)
        try await refused(api.forgetReply(host: "host-4", cluster: 1), 404, .hostNotFound)
    }

    /// Each bad placement is refused with its code, and nothing changes: no
    /// command, the same hosts and instances.
    private func refusals(_ api: StewardClient, unchanged when: String) async throws {
        let before = try await snapshot(api)
        try await refused(api.addInstance(AddInstanceRequest(role: "CoordinatorServer", host: "host-1"), cluster: 1),
                          409, .roleAlreadyOnHost)
        try await refused(api.addInstance(AddInstanceRequest(role: "CoordinatorServer", host: "host-9"), cluster: 1),
                          404, .hostNotFound)
        try await refused(api.addInstance(AddInstanceRequest(role: "Nope", host: "host-4"), cluster: 1), 404, .roleNotFound)
        try await refused(api.removeInstanceReply("Nope@host-1", cluster: 1), 404, .instanceNotFound)
        try await refused(api.removeInstanceReply("CoordinatorServer@host-9", cluster: 1), 404, .instanceNotFound)
        try await refused(api.decommissionReply(host: "host-9", cluster: 1), 404, .hostNotFound)
        try await refused(api.forgetReply(host: "host-1", cluster: 1), 409, .hostNotEmpty)
        #expect(try await snapshot(api) == before, "a refused placement changed something (\(when))")
    }

    private func refused(_ reply: StewardClient.Reply<NoResult>, _ status: Int, _ code: ErrorCode,
                         sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(reply.status == status, "\(reply.envelope.errorDescription)", sourceLocation: sourceLocation)
        #expect(reply.envelope.state == .failed, sourceLocation: sourceLocation)
        #expect(reply.envelope.errorCode == code.rawValue, "\(reply.envelope.errorDescription)", sourceLocation: sourceLocation)
        #expect(reply.envelope.id == -1, "a refusal names no command", sourceLocation: sourceLocation)
    }

    /// What a refused placement must leave as it was.
    private func snapshot(_ api: StewardClient) async throws -> [String] {
        let hosts = try await api.hosts().map { "\($0.hostName) \($0.state.rawValue) \($0.instances)" }
        let instances = try await api.instances().map { "\($0.name) #\($0.ordinal ?? 0)" }
        let commands = try await api.commands().total
        return hosts + instances + ["commands \(commands)"]
    }

    /// The hosts of CoordinatorServer's instance-level values.
    private func instanceLevel(_ api: StewardClient) async throws -> [String] {
        try await api.configurations(of: "Coordinator", cluster: 1).parameters.filter { $0.level == "INSTANCE" }.compactMap(\.hostName)
    }
}
