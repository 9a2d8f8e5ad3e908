import Foundation
import StewardClient
import StewardAPI
import StewardSystem
import Testing

extension IntegrationTests {
    @Test("the CLI: --wait draws bars on a terminal and plain lines in a pipe; exit 0 on COMPLETE, 2 on FAILED with the failed entity's output")
    func cliProgressAndExitCodes() async throws {
        try await withCluster { cluster, api in
            let url = api.baseURL
            // A pipe: plain lines, no escape codes.
            let (ok, plain) = try await steward(["service", "start", "Gateway", "--wait"], manager: url)
            #expect(ok == 0, "\(plain)")
            #expect(plain.contains("Start CoordinatorServer: SUCCEEDED"))
            #expect(plain.contains("Start GatewayServer: SUCCEEDED"))
            #expect(plain.contains("[100%] command 1: COMPLETE"))
            #expect(!plain.contains("\u{1B}["))

            // A terminal: bars redrawn in place.
            let (ttyStatus, drawn) = try await steward(["service", "restart", "Coordinator", "--only-self", "--wait"], manager: url, pty: true)
            #expect(ttyStatus == 0, "\(drawn)")
            #expect(drawn.contains("\u{1B}[2K"), "lines are cleared and redrawn")
            #expect(drawn.contains("[########################] 100%"))
            #expect(drawn.contains("✔ Stop CoordinatorServer"))

            // A failure: exit 2, each failed entity with the tail of its output, on stderr.
            _ = try await steward(["service", "stop", "Gateway", "--only-self", "--wait"], manager: url)
            let holder = try PortHolder(port: try await cluster.port("GatewayServer@host-2"))
            let (failed, report) = try await steward(["service", "start", "Gateway", "--only-self", "--wait"], manager: url)
            holder.release()
            #expect(failed == 2, "\(report)")
            #expect(report.contains("FAILED: error 14001"))
            #expect(report.contains("GatewayServer@host-2 START"))
            #expect(report.contains("| error: port"), "the process's own words")

            // --json for scripts.
            let (_, json) = try await steward(["command", "show", "1", "--json"], manager: url)
            let doc = try JSONDecoder().decode(Envelope<ProgressDocument>.self, from: Data(json.utf8))
            #expect(doc.state == .complete)
            #expect(doc.resObj?.totalStepSize == 4)
            let (_, listed) = try await steward(["command", "list", "--state", "FAILED", "--json"], manager: url)
            let page = try #require(try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [String: Any])
            #expect(page["total"] as? Int == 1)

            // Refusals: their code and description, exit 1, no stack trace.
            let (unknown, why) = try await steward(["service", "start", "Nope"], manager: url)
            #expect(unknown == 1)
            #expect(why.contains("error \(ErrorCode.serviceNotFound.rawValue) (HTTP 404)"))
            let (ended, endedWhy) = try await steward(["command", "abort", "1"], manager: url)
            #expect(ended == 1 && endedWhy.contains("error \(ErrorCode.commandEnded.rawValue)"))
            let (retried, retryOut) = try await steward(["command", "retry", "4", "--wait"], manager: url)
            #expect(retried == 0, "\(retryOut)")
        }
    }

    @Test("steward login keeps the credentials in a 0600 file that the other commands use")
    func cliLogin() async throws {
        try await withCluster { cluster, api in
            let file = NSTemporaryDirectory() + "steward-creds-\(getpid())/credentials.json"
            defer { try? FileManager.default.removeItem(atPath: (file as NSString).deletingLastPathComponent) }
            let env = ["STEWARD_CREDENTIALS": file]
            let (bad, badOut) = try await steward(["login", "--manager", api.baseURL], manager: "", password: "wrong", env: env)
            #expect(bad == 1 && badOut.contains("error \(ErrorCode.unauthenticated.rawValue)"))
            #expect(!FileManager.default.fileExists(atPath: file), "nothing kept for wrong credentials")
            let (ok, out) = try await steward(["login", "--manager", api.baseURL], manager: "", env: env)
            #expect(ok == 0, "\(out)")
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            // No password in the environment now: the saved credentials serve.
            let (listed, services) = try await steward(["services"], manager: "", password: nil, env: env)
            #expect(listed == 0, "\(services)")
            #expect(services.contains("Coordinator") && services.contains("Gateway"))

            // A typed password (here on stdin, as from a terminal) stays in
            // memory: no temporary file holds it, on failure or success.
            let tmp = NSTemporaryDirectory() + "steward-login-tmp-\(getpid())"
            try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: tmp) }
            for (typed, expected) in [("wrong-password", Int32(1)), (TestCluster.password, Int32(0))] {
                let (status, output) = try await typingPassword(typed, into: ["login", "--manager", api.baseURL],
                                                                env: env.merging(["TMPDIR": tmp]) { _, b in b })
                #expect(status == expected, "\(output)")
                let left = try FileManager.default.contentsOfDirectory(atPath: tmp)
                #expect(left.isEmpty, "a temporary file was left: \(left)")
            }
        }
    }

    /// Runs the CLI with `typed` on its standard input and no password in its environment.
    private func typingPassword(_ typed: String, into args: [String], env extra: [String: String]) async throws -> (Int32, String) {
        let log = NSTemporaryDirectory() + "steward-typed-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        var env = ProcessInfo.processInfo.environment
        env["STEWARD_PASSWORD"] = nil
        env["STEWARD_TYPED"] = typed
        for (k, v) in extra { env[k] = v }
        let argv = ["/bin/sh", "-c", "printf '%s\\n' \"$STEWARD_TYPED\" | \"$0\" \"$@\"", TestCluster.binary] + args
        let pid = try ProcessControl.spawn(argv, environment: env, logPath: log, newSession: false)
        let status = try await waitFor("steward login to exit", timeout: .seconds(60)) { () -> Int32? in
            if case .exited(let status) = ProcessControl.liveness(pid) { return status }
            return nil
        }
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }
}
