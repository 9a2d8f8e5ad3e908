#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardAPI
import StewardClient
import StewardSystem
import Testing

extension IntegrationTests {
    @Test("steward demo --stack lab: three agents, each on 127.0.1.N with its own data directory, shown as the hosts' ip")
    func labDemo() async throws {
        let dir = NSTemporaryDirectory() + "steward-labdemo-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = try freePort()
        // Only the hosts are looked at: no service starts, so this needs none of the lab's software.
        let demo = try ProcessControl.spawn(
            [TestCluster.binary, "demo", "--stack", "lab", "--data-dir", dir, "--port", String(port), "--admin-password", "demo-pw"],
            environment: ProcessInfo.processInfo.environment, logPath: dir + ".log", newSession: true)
        defer {
            kill(demo, SIGKILL)
            try? FileManager.default.removeItem(atPath: dir + ".log")
        }
        let api = StewardClient(baseURL: "http://127.0.0.1:\(port)", user: "admin", password: "demo-pw")
        let hosts = try await waitFor("the lab's three hosts", timeout: .seconds(60)) { () -> [HostView]? in
            guard ProcessControl.tcpAccepts(port: port) else { return nil }
            let hosts = (try? await api.hosts()) ?? []
            return hosts.filter { $0.status == .connected && $0.ip != nil }.count == 3 ? hosts : nil
        }
        #expect(hosts.map(\.hostName) == ["host-1", "host-2", "host-3"])
        #expect(hosts.map(\.ip) == ["127.0.1.1", "127.0.1.2", "127.0.1.3"])
        #expect(hosts.allSatisfy { ($0.cores ?? 0) > 0 && ($0.memoryMib ?? 0) > 0 && !($0.os ?? "").isEmpty })
        #expect(try await api.services().map(\.name) == ["ZooKeeper", "Redis", "Nginx"])
        for n in 1...3 { #expect(FileManager.default.fileExists(atPath: "\(dir)/host-\(n)/host.credential")) }
        let (status, listed) = try await steward(["hosts"], manager: "http://127.0.0.1:\(port)", password: "demo-pw")
        #expect(status == 0)
        #expect(listed.contains("127.0.1.2") && listed.contains("cores"), "\(listed)")

        kill(demo, SIGTERM)
        #expect(await ProcessControl.waitGone(demo, timeout: .seconds(60)), "the demo did not stop on SIGTERM")
    }
}
