#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardAPI
import StewardClient
import StewardSystem
import Testing

extension IntegrationTests {
    /// Real agents with `--approve-new-hosts`: each is issued its own
    /// credential (kept 0600), waits for approval with no tasks, runs tasks
    /// once approved; a revoked one is shut out, and a wiped host joins again
    /// once its credential is revoked.
    @Test("agents join with their own 0600 credential, wait for approval, are shut out by revoke, re-join when wiped")
    func agentCredentials() async throws {
        let cluster = TestCluster(managerArgs: ["--approve-new-hosts"])
        do {
            try await exerciseCredentials(cluster)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    private func exerciseCredentials(_ cluster: TestCluster) async throws {
        let hosts = ["host-1", "host-2", "host-3"]
        try await cluster.startManager(port: 0)
        for host in hosts { try await cluster.startAgent(host) }
        let api = await cluster.client
        let url = api.baseURL
        _ = try await waitFor("three pending hosts") { () -> Bool? in
            let states = (try? await api.hosts(cluster: 1))?.map(\.agentState)
            // The manager answers the credential before the agent writes it down.
            let kept = hosts.allSatisfy { FileManager.default.fileExists(atPath: cluster.root + "/\($0)/host.credential") }
            return states == [.pending, .pending, .pending] && kept ? true : nil
        }
        for host in hosts {
            #expect(SecretFile.mode(of: cluster.root + "/\(host)/host.credential") == 0o600, "\(host)")
        }
        let (listed, list) = try await steward(["agents", "list"], manager: url)
        #expect(listed == 0)
        #expect(list.components(separatedBy: "PENDING").count == 4, "\(list)")
        let (_, shown) = try await steward(["hosts"], manager: url)
        #expect(shown.contains("PENDING"), "\(shown)")
        if Browser.enabled {
            // The web UI's hosts list says it too, beside each agent's status.
            try await withBrowser("pending-hosts") { browser in
                try await logIn(browser, url, user: "admin", password: TestCluster.password)
                try await browser.wait("document.querySelectorAll('tr[data-host] [data-agent-state=PENDING]').length === 3")
                #expect(try await browser.eval("document.querySelector('tr[data-host=\"host-1\"] [data-agent-state]').textContent")?
                    .string == "PENDING APPROVAL")
            }
        }
        // Pending hosts get no tasks: a start fails at once, its hosts not connected.
        let early = try await api.run(.start, "Coordinator", onlySelf: true)
        #expect(early.state == .failed)

        for host in hosts {
            let (approved, out) = try await steward(["agents", "approve", host], manager: url)
            #expect(approved == 0, "\(out)")
        }
        try await cluster.waitForHosts(connected: Set(hosts))
        #expect(try await api.run(.start, "Coordinator", onlySelf: true).state == .complete)

        let (revoked, out) = try await steward(["agents", "revoke", "host-3"], manager: url)
        #expect(revoked == 0 && out.contains("REVOKED"), "\(out)")
        _ = try await waitFor("host-3 lost") { () -> Bool? in
            try? await api.hosts(cluster: 1).first { $0.hostName == "host-3" }?.status == .lost ? true : nil
        }
        // The wiped host: a new agent without the credential file joins again (pending, then approved).
        await cluster.signalAgent("host-3", SIGTERM)
        try FileManager.default.removeItem(atPath: cluster.root + "/host-3/host.credential")
        try await cluster.startAgent("host-3")
        _ = try await waitFor("host-3 pending again") { () -> Bool? in
            try? await api.hosts(cluster: 1).first { $0.hostName == "host-3" }?.agentState == .pending ? true : nil
        }
        #expect(try await steward(["agents", "approve", "host-3"], manager: url).0 == 0)
        try await cluster.waitForHosts(connected: Set(hosts))

        let (rotated, token) = try await steward(["agents", "rotate-token"], manager: url)
        #expect(rotated == 0)
        let fresh = try #require(token.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(try String(contentsOfFile: cluster.root + "/manager/agent.token", encoding: .utf8) == fresh + "\n")
        #expect(SecretFile.mode(of: cluster.root + "/manager/agent.token") == 0o600)
        let (_, audit) = try await steward(["audit", "--action", "AGENT_TOKEN_ROTATE"], manager: url)
        #expect(!audit.contains(fresh), "the token is never in the audit log")
    }
}
