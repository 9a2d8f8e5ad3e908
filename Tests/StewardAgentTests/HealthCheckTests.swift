#if canImport(Glibc)
import Glibc
#endif
import AsyncHTTPClient
import Foundation
import StewardAPI
import StewardSystem
import Testing
@testable import StewardAgent

/// Health checks against real sockets and processes: TCP send/expect (the
/// ZooKeeper `srvr` answer), HTTP on the host's address, and a command with a timeout.
@Suite struct HealthCheckTests {
    func checker(_ address: String = "127.0.0.1") -> HealthChecker {
        HealthChecker(http: .shared, address: address, reaper: Reaper())
    }

    func target(_ port: Int) -> HealthChecker.Target { .init(values: ["port": "\(port)"]) }

    static let follower = "Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0.0/0\nMode: follower\nNode count: 5\n"

    @Test func tcpSendExpectIsHealthyOnlyOnAnExpectedAnswer() async throws {
        let check = HealthCheck.tcp(portParameter: "port", send: "srvr\n", expect: ["Mode: leader", "Mode: follower"], timeoutSeconds: 2)
        let serving = try TinyServer { $0 == "srvr\n" ? Self.follower : "what?\n" }
        defer { serving.close() }
        #expect(await checker().healthy(check, target(serving.port)))
        let notServing = try TinyServer { _ in "This ZooKeeper instance is not currently serving requests\n" }
        defer { notServing.close() }
        #expect(!(await checker().healthy(check, target(notServing.port))))
        // The text sent is the stack's: another request gets another answer.
        let other = HealthCheck.tcp(portParameter: "port", send: "ruok", expect: ["Mode: follower"], timeoutSeconds: 2)
        #expect(!(await checker().healthy(other, target(serving.port))))
    }

    @Test func tcpWithoutExpectOnlyConnects() async throws {
        let server = try TinyServer { _ in "" }
        let port = server.port
        #expect(await checker().healthy(.tcp(portParameter: "port"), target(port)))
        server.close()
        #expect(!(await checker().healthy(.tcp(portParameter: "port"), target(port))))
        // No such parameter: nothing to check, so not healthy.
        #expect(!(await checker().healthy(.tcp(portParameter: "admin_port"), target(port))))
    }

    @Test func aPeerThatNeverAnswersIsUnhealthyWithinTheTimeout() async throws {
        let silent = try TinyServer { _ in nil }
        defer { silent.close() }
        let check = HealthCheck.tcp(portParameter: "port", send: "srvr\n", expect: ["Mode: leader"], timeoutSeconds: 1)
        let began = ContinuousClock.now
        #expect(!(await checker().healthy(check, target(silent.port))))
        // Bounded by its timeout, not by the peer (generous: this only proves it ends).
        #expect(ContinuousClock.now - began < .seconds(30))
    }

    @Test func httpLooksAtTheHostsAddressNotLoopbackOne() async throws {
        let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
        let server = try TinyServer(address: "127.0.0.2") { $0.hasPrefix("GET /health ") ? ok : "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" }
        defer { server.close() }
        let check = HealthCheck.http(portParameter: "port", path: "/health", timeoutSeconds: 2)
        #expect(await checker("127.0.0.2").healthy(check, target(server.port)))
        // Nothing listens on that port at 127.0.0.1: the address is the host's, not loopback's.
        #expect(!(await checker("127.0.0.1").healthy(check, target(server.port))))
        #expect(!(await checker("127.0.0.2").healthy(.http(portParameter: "port", path: "/other"), target(server.port))))
    }

    @Test func httpIsUnhealthyOnAnErrorStatus() async throws {
        let server = try TinyServer { _ in "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" }
        defer { server.close() }
        #expect(!(await checker().healthy(.http(portParameter: "port", path: "/health"), target(server.port))))
    }

    @Test func aCommandIsHealthyOnExitZeroWithItsPlaceholdersSubstituted() async throws {
        let dir = NSTemporaryDirectory() + "steward-check-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var t = HealthChecker.Target(values: ["name": "marker"], placeholders: ["instance_dir": dir],
                                     environment: ["PATH": "/usr/bin:/bin"], workingDirectory: dir, log: dir + "/check.log")
        let check = HealthCheck.command(argv: ["/bin/sh", "-c", "test -e {instance_dir}/{name} && test -e ./{name}"], timeoutSeconds: 5)
        #expect(!(await checker().healthy(check, t)))
        _ = FileManager.default.createFile(atPath: dir + "/marker", contents: Data())
        #expect(await checker().healthy(check, t))
        t.values["name"] = "absent"
        #expect(!(await checker().healthy(check, t)))
    }

    @Test func aCommandPastItsTimeoutIsUnhealthyAndItsProcessGroupKilled() async throws {
        let dir = NSTemporaryDirectory() + "steward-check-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let t = HealthChecker.Target(values: [:], placeholders: ["instance_dir": dir], environment: ["PATH": "/usr/bin:/bin"],
                                     workingDirectory: dir, log: dir + "/check.log")
        // A child of the check that would outlive it, unless its group is killed.
        let check = HealthCheck.command(argv: ["/bin/sh", "-c", "sleep 60 & echo $! > {instance_dir}/child; wait"], timeoutSeconds: 1)
        #expect(!(await checker().healthy(check, t)))
        let child = try #require(pid_t(try String(contentsOfFile: dir + "/child", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await ProcessControl.waitGone(child, timeout: .seconds(10)), "the check's child \(child) outlived it")
    }
}
