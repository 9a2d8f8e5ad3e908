import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
@testable import StewardManager
import StewardAPI
import Testing

/// Each attack on the agent protocol, performed through the real router: the
/// join token only bootstraps, and a host's credential speaks for that host alone.
@Suite("Agent trust")
struct AgentTrustTests {
    static func withAgents(configure: @escaping (inout ManagerOptions) -> Void = { _ in },
                           _ body: @Sendable (Manager, any TestClientProtocol, String) async throws -> Void) async throws {
        try await withTestRouter(configure: configure) { manager, client in
            let token = try String(contentsOfFile: manager.options.dataDirectory + "/agent.token", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            try await body(manager, client, token)
        }
    }

    /// Alike failures from one source within a minute are one entry with a count: the attempts are the sum.
    static func attempts(_ entries: [AuditEntry]) -> Int { entries.reduce(0) { $0 + $1.count } }

    static func audited(_ client: any TestClientProtocol, _ action: String) async throws -> [AuditEntry] {
        try await adminCall(client, .get, "/web/v1/audit?action=\(action)", as: AuditList.self).1.resObj?.entries ?? []
    }

    @Test func theJoinTokenAloneGetsNoTasksAndPostsNothing() async throws {
        try await Self.withAgents { _, client, token in
            let joiner = FakeAgent(client: client, host: nil, secret: token)
            let poll = try await joiner.poll(as: "host-1")
            #expect(poll.status == .unauthorized)
            #expect(poll.code == ErrorCode.agentCredentialRefused.rawValue)
            #expect(poll.envelope.state == .failed)
            #expect(try await joiner.heartbeat(as: "host-1").code == ErrorCode.agentCredentialRefused.rawValue)
            #expect(try await joiner.output(as: "host-1", task: 1).code == ErrorCode.agentCredentialRefused.rawValue)
            let task = AgentTask(taskId: 1, commandId: 1, instance: InstanceRef(service: "Coordinator", role: "CoordinatorServer", host: "host-1"),
                                 operation: .start, process: ProcessSpec(start: [], check: .process, startTimeoutSeconds: 1, stopTimeoutSeconds: 1),
                                 configuration: [:], configFiles: [], configDigest: "", timeoutSeconds: 1)
            #expect(try await joiner.result(as: "host-1", task: task).code == ErrorCode.agentCredentialRefused.rawValue)
            // The join token with a host header is no credential either.
            let posing = FakeAgent(client: client, host: "host-1", secret: token)
            #expect(try await posing.poll(as: "host-1").code == ErrorCode.agentCredentialRefused.rawValue)
            // A credential for a host never issued one (a wiped store) is refused as unknown: the agent joins again.
            let stale = FakeAgent(client: client, host: "host-2", secret: String(repeating: "0", count: 64))
            let answer = try await stale.poll(as: "host-2")
            #expect(answer.status == .notFound)
            #expect(answer.code == ErrorCode.agentCredentialNotFound.rawValue)
            #expect(Self.attempts(try await Self.audited(client, "AGENT_AUTH")) == 6)
        }
    }

    @Test func aHostJoinsOnceAndItsCredentialSpeaksForItAlone() async throws {
        try await Self.withAgents { _, client, token in
            let one = try await FakeAgent.join("host-1", client: client, token: token)
            #expect(one.secret.count == 64, "32 random bytes, hex")
            // The join token can no longer register host-1: it would impersonate it.
            let again = try await FakeAgent(client: client, host: nil, secret: token).register(as: "host-1")
            #expect(again.status == .conflict)
            #expect(again.code == ErrorCode.agentAlreadyJoined.rawValue)
            #expect(try await Self.audited(client, "AGENT_JOIN").first?.errorCode == ErrorCode.agentAlreadyJoined.rawValue)
            // host-1's credential cannot register or poll as host-2, in the body or in the header.
            for forged in [try await one.register(as: "host-2").code, try await one.poll(as: "host-2").code,
                           try await one.heartbeat(as: "host-2").code] {
                #expect(forged == ErrorCode.agentForgery.rawValue)
            }
            _ = try await FakeAgent.join("host-2", client: client, token: token)
            var header = one
            header.host = "host-2"
            #expect(try await header.poll(as: "host-2").code == ErrorCode.agentCredentialRefused.rawValue)
            let forgeries = try await Self.audited(client, "AGENT_FORGERY")
            #expect(Self.attempts(forgeries) == 3)
            #expect(forgeries.allSatisfy { $0.user == "agent:host-1" && $0.httpStatus == 403 && $0.target.contains("host=host-2") })
            // Its own calls work.
            #expect(try await one.register(as: "host-1").status == .ok)
            #expect(try await one.heartbeat(as: "host-1").status == .ok)
        }
    }

    /// The issue's forged-result attack: host-1 posts a success for host-2's
    /// task. It is refused and audited, and the command does not move.
    @Test func aForgedResultForAnotherHostsTaskIsRefusedAndChangesNothing() async throws {
        try await Self.withAgents { _, client, token in
            var agents: [String: FakeAgent] = [:]
            for host in ["host-1", "host-2", "host-3"] {
                let agent = try await FakeAgent.join(host, client: client, token: token)
                #expect(try await agent.register(as: host).status == .ok)
                agents[host] = agent
            }
            let (status, started) = try await adminCall(client, .post, "/web/v1/maintain/cluster/1/service/Coordinator/start",
                                                        body: #"{"only_self": true}"#)
            #expect(status == .ok)
            var tasks: [String: AgentTask] = [:]
            for (host, agent) in agents {
                let work = try await agent.poll(as: host)
                tasks[host] = try #require(work.envelope.resObj?.tasks.first, "\(host) got its task")
                #expect(work.envelope.resObj?.tasks.allSatisfy { $0.instance.host == host } == true, "only its own tasks")
            }
            let one = try #require(agents["host-1"]), victim = try #require(tasks["host-2"])
            #expect(try await one.result(as: "host-1", task: try #require(tasks["host-1"])).status == .ok)
            #expect(try await agents["host-3"]!.result(as: "host-3", task: try #require(tasks["host-3"])).status == .ok)

            for claimed in ["host-2", "host-1"] {
                let forged = try await one.result(as: claimed, task: victim)
                #expect(forged.status == .forbidden, "claiming \(claimed)")
                #expect(forged.code == ErrorCode.agentForgery.rawValue)
                #expect(forged.envelope.state == .failed)
            }
            #expect(try await one.output(as: "host-1", task: victim.taskId).code == ErrorCode.agentForgery.rawValue)
            let forgeries = try await Self.audited(client, "AGENT_FORGERY")
            #expect(Self.attempts(forgeries) == 3)
            #expect(forgeries.allSatisfy { $0.target.contains("task=\(victim.taskId)") })

            let progress = "/web/v1/common/command/\(started.id)/progress"
            #expect(try await adminCall(client, .get, progress, as: ProgressDocument.self).1.state == .inProgress,
                    "the forged result changed nothing")
            // The real host's result completes it.
            #expect(try await agents["host-2"]!.result(as: "host-2", task: victim).status == .ok)
            #expect(try await adminCall(client, .get, progress, as: ProgressDocument.self).1.state == .complete)
        }
    }

    /// Revoked: refused at once, the waiting long poll included; then the
    /// host may bootstrap again (a wiped host re-joining), the old credential never.
    @Test func aRevokedCredentialIsRefusedAtOnceEvenMidPoll() async throws {
        try await Self.withAgents(configure: { $0.pollTimeoutMs = 600_000 }) { manager, client, token in
            let one = try await FakeAgent.join("host-1", client: client, token: token)
            #expect(try await one.register(as: "host-1").status == .ok)
            async let waiting = one.poll(as: "host-1")
            try await waitUntil("the poll waits") { await manager.hub.links["host-1"]?.waiter != nil }
            let (status, revoked) = try await adminCall(client, .post, "/web/v1/cluster/1/agent_credentials/host-1/revoke",
                                                        as: AgentCredentialView.self)
            #expect(status == .ok)
            #expect(revoked.resObj?.state == .revoked)
            #expect(revoked.resObj?.revokedAt != nil)
            let ended = try await waiting
            #expect(ended.status == .unauthorized, "the waiting poll ends refused, not empty")
            #expect(ended.code == ErrorCode.agentCredentialRefused.rawValue)
            #expect(try await one.heartbeat(as: "host-1").status == .unauthorized)
            #expect(try await one.register(as: "host-1").status == .unauthorized)
            #expect(try await Self.audited(client, "AGENT_REVOKE").first?.result == .success)

            let rejoined = try await FakeAgent.join("host-1", client: client, token: token)
            #expect(rejoined.secret != one.secret)
            #expect(try await rejoined.register(as: "host-1").status == .ok)
            #expect(try await one.heartbeat(as: "host-1").status == .unauthorized, "the revoked credential stays refused")
            let list = try await adminCall(client, .get, "/web/v1/cluster/1/agent_credentials", as: AgentCredentialList.self)
            #expect(list.1.resObj?.credentials.map(\.state) == [.active])
            #expect(list.1.resObj?.credentials.first?.lastUsedAt != nil)
        }
    }

    @Test func theOldJoinTokenIsRefusedAfterRotation() async throws {
        try await Self.withAgents { manager, client, token in
            let one = try await FakeAgent.join("host-1", client: client, token: token)
            let (status, rotated) = try await adminCall(client, .post, "/web/v1/cluster/1/agent_token/rotate",
                                                        as: RotatedAgentToken.self)
            #expect(status == .ok)
            let fresh = try #require(rotated.resObj?.token)
            #expect(fresh != token && fresh.count == 64)
            let path = manager.options.dataDirectory + "/agent.token"
            #expect(try String(contentsOfFile: path, encoding: .utf8) == fresh + "\n")
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)

            let old = try await FakeAgent(client: client, host: nil, secret: token).register(as: "host-2")
            #expect(old.status == .unauthorized)
            #expect(old.code == ErrorCode.agentUnauthenticated.rawValue)
            _ = try await FakeAgent.join("host-2", client: client, token: fresh)
            #expect(try await one.heartbeat(as: "host-1").status == .ok, "joined hosts keep their credentials")
            #expect(try await Self.audited(client, "AGENT_TOKEN_ROTATE").count == 1)
        }
    }

    @Test func aPendingHostGetsNoTasksUntilApproved() async throws {
        try await Self.withAgents(configure: { $0.approveNewHosts = true; $0.pollTimeoutMs = 50 }) { _, client, token in
            let first = try await FakeAgent(client: client, host: nil, secret: token).register(as: "host-1")
            #expect(first.envelope.resObj?.pending == true)
            let one = FakeAgent(client: client, host: "host-1", secret: try #require(first.envelope.resObj?.credential))
            let poll = try await one.poll(as: "host-1")
            #expect(poll.status == .forbidden)
            #expect(poll.code == ErrorCode.agentPendingApproval.rawValue)
            #expect(try await one.heartbeat(as: "host-1").code == ErrorCode.agentPendingApproval.rawValue)
            #expect(try await one.register(as: "host-1").envelope.resObj?.pending == true)
            let hosts = try await adminCall(client, .get, "/web/v1/cluster/1/hosts", as: HostList.self).1.resObj?.hosts ?? []
            #expect(hosts.map(\.agentState) == [.pending, .none, .none])
            #expect(hosts.first?.status == .lost, "a pending host is not connected")

            let path = "/web/v1/cluster/1/agent_credentials/"
            #expect(try await adminCall(client, .post, path + "host-3/approve").1.errorCode == ErrorCode.agentCredentialNotFound.rawValue)
            #expect(try await adminCall(client, .post, path + "nohost/approve").1.errorCode == ErrorCode.hostNotFound.rawValue)
            let approved = try await adminCall(client, .post, path + "host-1/approve", as: AgentCredentialView.self)
            #expect(approved.1.resObj?.state == .active)
            #expect(try await adminCall(client, .post, path + "host-1/approve").0 == .conflict)
            #expect(try await one.register(as: "host-1").envelope.resObj?.pending == false)
            #expect(try await one.poll(as: "host-1").status == .ok)
            let after = try await adminCall(client, .get, "/web/v1/cluster/1/hosts", as: HostList.self).1.resObj?.hosts ?? []
            #expect(after.first?.agentState == .active)
        }
    }
}

/// Waits for a condition; no fixed sleeps.
func waitUntil(_ what: String, _ condition: @Sendable () async -> Bool) async throws {
    for _ in 0..<2000 {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    Issue.record("timed out waiting for \(what)")
}
