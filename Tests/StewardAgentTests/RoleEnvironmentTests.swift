#if canImport(Glibc)
import Glibc
#endif
import AsyncHTTPClient
import Foundation
import Logging
import StewardAPI
import StewardSystem
import Testing
@testable import StewardAgent

/// A role process sees what its stack declares and a minimal environment,
/// never the agent's own (which may hold its token), and its rendered
/// config files are private from their first byte.
@Suite struct RoleEnvironmentTests {
    let root = NSTemporaryDirectory() + "steward-roleenv-\(UUID().uuidString)"
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func task(environment: [String: String]) -> AgentTask {
        AgentTask(taskId: 1, commandId: 1, instance: InstanceRef(service: "Svc", role: "Role", host: "host-1"),
                  operation: .start,
                  process: ProcessSpec(start: ["/bin/sh", "-c", "env > \"$0/env.tmp\"; mv \"$0/env.tmp\" \"$0/env.txt\"; exec sleep 30", "{instance_dir}"],
                                       check: .process, startTimeoutSeconds: 10, stopTimeoutSeconds: 5,
                                       environment: environment),
                  configuration: ["password": "s3cret"], configFiles: [ConfigFileSpec(name: "role.json", format: .json)],
                  configDigest: "d", timeoutSeconds: 10)
    }

    @Test func theAgentsTokenNeverReachesARoleProcess() async throws {
        setenv("STEWARD_AGENT_TOKEN", "agent-token-must-not-leak", 1)
        setenv("SOME_AGENT_SETTING", "agent-only", 1)
        defer { unsetenv("SOME_AGENT_SETTING") }
        let supervisor = InstanceSupervisor(root: root, http: .shared, logger: logger)
        let outcome = await supervisor.run(task(environment: ["GREETING": "hi", "PATH": "/opt/role/bin:/usr/bin:/bin"]))
        #expect(outcome.succeeded, "\(outcome.detail)")
        // The process is alive before its shell has written the file: wait for it.
        let deadline = ContinuousClock.now + .seconds(10)
        while !FileManager.default.fileExists(atPath: root + "/Role/env.txt"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        _ = await supervisor.stop(role: "Role", timeout: 1)
        defer { try? FileManager.default.removeItem(atPath: root) }

        let text = try String(contentsOfFile: root + "/Role/env.txt", encoding: .utf8)
        let seen = Dictionary(text.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let eq = line.firstIndex(of: "=") else { return nil }
            return (String(line[..<eq]), String(line[line.index(after: eq)...]))
        }, uniquingKeysWith: { a, _ in a })
        #expect(seen["STEWARD_AGENT_TOKEN"] == nil)
        #expect(seen["SOME_AGENT_SETTING"] == nil)
        #expect(!text.contains("agent-token-must-not-leak"))
        #expect(seen["GREETING"] == "hi")
        #expect(seen["PATH"] == "/opt/role/bin:/usr/bin:/bin", "the stack's PATH wins over the minimal one")
        #expect(seen["LANG"] == "C.UTF-8")
        #expect(seen["HOME"] != nil)
        #expect(seen["STEWARD_INSTANCE"] == "Role@host-1")
        // Only what the stack declared, the minimal three, the instance's names, and what the shell adds itself.
        let allowed: Set = ["GREETING", "PATH", "LANG", "HOME", "STEWARD_INSTANCE", "STEWARD_SERVICE", "PWD", "SHLVL", "_"]
        #expect(Set(seen.keys).subtracting(allowed).isEmpty, "unexpected: \(Set(seen.keys).subtracting(allowed))")
        #expect(SecretFile.mode(of: root + "/Role/conf/role.json") == 0o600)
    }
}
