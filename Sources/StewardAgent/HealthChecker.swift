#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AsyncHTTPClient
import Foundation
import NIOCore
import StewardAPI
import StewardSystem

/// Runs a role's health check against the host's address. Every check is
/// bounded by its own timeout, so a hung peer delays one report, never the agent.
struct HealthChecker: Sendable {
    /// What a check of one instance needs: its values and placeholders, and
    /// for a command check, the environment, directory and log it runs with.
    struct Target: Sendable {
        var values: [String: String]
        var placeholders: [String: String] = [:]
        var environment: [String: String] = [:]
        var workingDirectory: String = "/"
        var log: String? = nil
    }

    let http: HTTPClient
    /// The host's address (`--address`): where the role processes listen.
    let address: String
    let reaper: Reaper

    func healthy(_ check: HealthCheck, _ target: Target) async -> Bool {
        switch check {
        case .process:
            return true
        case .tcp(let param, let send, let expect, let timeout):
            guard let port = target.values[param].flatMap(Int.init) else { return false }
            let address = self.address
            return await Self.offPool {
                TCPProbe.check(address: address, port: port, send: send, expect: expect, timeout: .seconds(timeout)) == .healthy
            }
        case .http(let param, let path, let timeout):
            guard let port = target.values[param].flatMap(Int.init) else { return false }
            // A refused connect answers at once; the HTTP client would retry it until its timeout.
            let address = self.address
            guard await Self.offPool({
                TCPProbe.check(address: address, port: port, send: nil, expect: [], timeout: .seconds(timeout)) == .healthy
            }) else { return false }
            var request = HTTPClientRequest(url: "http://\(address):\(port)\(path)")
            // No keep-alive: an idle pooled connection would hold up the process's graceful shutdown.
            request.headers.add(name: "Connection", value: "close")
            guard let response = try? await http.execute(request, timeout: .seconds(Int64(timeout))) else { return false }
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return (200..<300).contains(response.status.code)
        case .command(let argv, let timeout):
            return await command(argv, timeout: timeout, target)
        }
    }

    /// Exit 0 within the timeout is healthy; past it the check's process group is killed.
    private func command(_ argv: [String], timeout: Int, _ target: Target) async -> Bool {
        let line = ConfigRenderer.substitute(argv, values: target.values, extra: target.placeholders)
        guard let pid = try? ProcessControl.spawn(line, environment: target.environment, logPath: target.log ?? "/dev/null",
                                                  workingDirectory: target.workingDirectory, truncateLog: true) else {
            return false
        }
        reaper.forget(pid)
        guard await reaper.waitGone(pid, timeout: .seconds(timeout)) else {
            _ = await reaper.killGroup(pid)
            return false
        }
        return reaper.liveness(pid) == .exited(status: 0)
    }

    /// Runs blocking socket work on a thread of its own, not on the
    /// cooperative pool that the agent's HTTP and tasks share.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: work()) }
        }
    }
}
