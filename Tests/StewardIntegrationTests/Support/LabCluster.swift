import AsyncHTTPClient
import Foundation
import StewardAPI
import StewardClient
import StewardSystem
import Testing

/// The software the lab stack runs and the tests' own clients for it.
enum LabSoftware {
    static let needed = ["/usr/share/java/zookeeper.jar", "/usr/share/zookeeper/bin/zkCli.sh", "/usr/bin/java",
                         "/usr/bin/redis-server", "/usr/bin/redis-cli", "/usr/sbin/nginx"]
    static var missing: [String] { needed.filter { !FileManager.default.isExecutableFile(atPath: $0) && !FileManager.default.fileExists(atPath: $0) } }
    /// Skipped only where the software is absent and this is not CI: CI installs it (.ci/run), so there it must run.
    static var runnable: Bool { missing.isEmpty || ProcessInfo.processInfo.environment["CI"] == "true" }
    static let skipReason: Comment = "needs zookeeper, redis-server and nginx (apt); CI=true runs these tests regardless"
}

/// Runs `body` against the `lab` stack: a manager and three agents, agent N
/// on 127.0.1.N, standard ports; always stopped afterwards, role processes included.
func withLab(_ body: (TestCluster, StewardClient) async throws -> Void) async throws {
    let cluster = TestCluster(stack: "lab", portShift: 0)
    do {
        try await cluster.startManager(port: 0)
        for n in 1...3 { try await cluster.startAgent("host-\(n)", args: ["--address", "127.0.1.\(n)"]) }
        try await cluster.waitForHosts(connected: ["host-1", "host-2", "host-3"])
        try await body(cluster, await cluster.client)
    } catch {
        await cluster.stop()
        throw error
    }
    await cluster.stop()
}

/// Runs a client program to its end; its exit status and output (stdout and stderr).
func tool(_ argv: [String], timeout: Duration = .seconds(60)) async throws -> (status: Int32, output: String) {
    let log = NSTemporaryDirectory() + "steward-tool-\(getpid())-\(UUID().uuidString).log"
    defer { try? FileManager.default.removeItem(atPath: log) }
    let pid = try ProcessControl.spawn(argv, environment: ProcessInfo.processInfo.environment, logPath: log, newSession: true)
    let status: Int32
    do {
        status = try await waitFor("\(argv.first ?? "") to exit", timeout: timeout) { () -> Int32? in
            if case .exited(let status) = ProcessControl.liveness(pid) { return status }
            return nil
        }
    } catch {
        kill(-pid, SIGKILL)
        throw error
    }
    return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
}

/// `redis-cli` against one lab host, with a password; its answer, trimmed.
func redis(_ host: Int, password: String, _ command: String...) async throws -> String {
    let (_, output) = try await tool(["/usr/bin/redis-cli", "-h", "127.0.1.\(host)", "-p", "6379", "-a", password,
                                      "--no-auth-warning"] + command, timeout: .seconds(20))
    return output.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// `zkCli.sh` against one lab host's client port.
func zkCli(_ host: Int, _ command: String...) async throws -> (status: Int32, output: String) {
    try await zkCli(server: "127.0.1.\(host):2181", command)
}

/// `zkCli.sh` against one member's client address.
func zkCli(server: String, _ command: [String]) async throws -> (status: Int32, output: String) {
    try await tool(["/usr/share/zookeeper/bin/zkCli.sh", "-server", server] + command)
}

/// An HTTP GET without retries; nil when nothing answers.
func httpGet(_ url: String) async -> (status: UInt, body: String)? {
    var request = HTTPClientRequest(url: url)
    request.headers.add(name: "Connection", value: "close")
    guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)),
          let body = try? await response.body.collect(upTo: 64 * 1024) else { return nil }
    return (response.status.code, String(buffer: body))
}
