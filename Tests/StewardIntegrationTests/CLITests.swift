#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardClient
import StewardAPI
import StewardSystem
import Testing

/// Runs `steward ARGS` as a user would, with the password in the environment;
/// returns its exit status and everything it printed.
func steward(_ args: [String], manager: String, user: String = "admin", password: String? = TestCluster.password,
             env extra: [String: String] = [:], pty: Bool = false) async throws -> (Int32, String) {
    let log = NSTemporaryDirectory() + "steward-cli-\(getpid())-\(UUID().uuidString).log"
    defer { try? FileManager.default.removeItem(atPath: log) }
    var env = ProcessInfo.processInfo.environment
    env["STEWARD_MANAGER"] = manager
    env["STEWARD_USER"] = user
    env["STEWARD_PASSWORD"] = password
    for (k, v) in extra { env[k] = v }
    if manager.isEmpty { env["STEWARD_MANAGER"] = nil }
    // `script` gives the command a pseudo-terminal, as an operator's shell would.
    let argv = pty ? ["script", "-qec", ([TestCluster.binary] + args).joined(separator: " "), "/dev/null"] : [TestCluster.binary] + args
    let pid = try ProcessControl.spawn(argv, environment: env, logPath: log, newSession: false)
    let status = try await waitFor("steward \(args.first ?? "") to exit", timeout: .seconds(60)) { () -> Int32? in
        if case .exited(let status) = ProcessControl.liveness(pid) { return status }
        return nil
    }
    return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
}

extension IntegrationTests {
    @Test("the user and audit commands: admin only, refusals shown with their code, exit status set")
    func userAndAuditCommands() async throws {
        try await withCluster { cluster, api in
            let url = api.baseURL
            let (created, out) = try await steward(["user", "create", "cleo", "--role", "viewer"], manager: url)
            #expect(created == 0, "\(out)")
            let generated = try #require(out.split(separator: "\n").first { $0.hasPrefix("initial password (shown once): ") }?
                .split(separator: " ").last.map(String.init))
            let (listed, list) = try await steward(["user", "list"], manager: url)
            #expect(listed == 0)
            #expect(list.contains("cleo") && list.contains("viewer"))
            #expect(!list.contains(generated), "a password is never listed")

            let (gated, gatedOut) = try await steward(["user", "list"], manager: url, user: "cleo", password: generated)
            #expect(gated == 1)
            #expect(gatedOut.contains("error \(ErrorCode.passwordChangeRequired.rawValue) (HTTP 403)"), "an initial password must be changed first: \(gatedOut)")
            let cleoClient = StewardClient(baseURL: url, user: "cleo", password: generated)
            let q = "old_password=\(generated)&new_password=Chosen-pass-7&confirm_password=Chosen-pass-7"
            #expect(try await cleoClient.raw(.POST, "/web/v1/access/modify_self_password?" + q, body: Data("{}".utf8)).status == 200)
            let (refused, why) = try await steward(["user", "list"], manager: url, user: "cleo", password: "Chosen-pass-7")
            #expect(refused == 1)
            #expect(why.contains("error \(ErrorCode.forbidden.rawValue) (HTTP 403)"), "\(why)")
            #expect(!why.contains("Fatal") && !why.contains("0x"), "no stack trace")

            #expect(try await steward(["user", "set-role", "cleo", "operator"], manager: url).0 == 0)
            let (badRole, badOut) = try await steward(["user", "set-role", "cleo", "emperor"], manager: url)
            #expect(badRole == 1 && badOut.contains("role must be admin, operator or viewer"))
            #expect(try await steward(["user", "delete", "cleo"], manager: url).0 == 0)
            #expect(try await steward(["user", "delete", "admin"], manager: url).0 == 1, "an admin cannot remove itself")

            let (audited, audit) = try await steward(["audit", "--action", "USER_CREATE"], manager: url)
            #expect(audited == 0)
            #expect(audit.contains("SUCCESS admin from 127.0.0.1 USER_CREATE /web/v1/access/users"), "\(audit)")
            let (_, cleo) = try await steward(["audit", "--by-user", "cleo", "--result", "SUCCESS"], manager: url)
            #expect(cleo.contains("cleo from 127.0.0.1 LOGIN basic"), "\(cleo)")
            #expect(!cleo.contains("admin from"))
        }
    }
}
