#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardAPI
import StewardClient
import StewardSystem
import Testing

/// A host as an operator sets one up: `steward agent install` writes the unit
/// and the config file, and the unit's own command line joins the cluster.
extension IntegrationTests {
    @Test("steward agent install writes a unit whose command line joins the host and runs its tasks")
    func installedAgentJoins() async throws {
        let cluster = try await TestCluster.start(hosts: ["host-1", "host-2"])
        do {
            let root = cluster.root + "/image"
            let binary = TestCluster.binary
            let install = try await runSteward([
                "agent", "install", "--manager", await cluster.client.baseURL, "--host", "host-3",
                "--address", "127.0.0.1", "--data-dir", cluster.root + "/host-3",
                "--token-file", cluster.root + "/manager/agent.token", "--binary", binary, "--root", root,
            ])
            #expect(install.status == 0, "\(install.output)")
            let unitPath = root + "/etc/systemd/system/steward-agent.service"
            let configPath = root + "/etc/steward/agent.json"
            #expect(SecretFile.mode(of: configPath) == 0o600)
            #expect(SecretFile.mode(of: unitPath) == 0o644)
            let unit = try String(contentsOfFile: unitPath, encoding: .utf8)
            #expect(unit.contains("KillMode=process"), "role processes must outlive an agent restart")
            #expect(unit.contains("WantedBy=multi-user.target"))
            let config = try String(contentsOfFile: configPath, encoding: .utf8)
            #expect(!config.contains(try String(contentsOfFile: cluster.root + "/manager/agent.token", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)), "the config file names the token file, never the token")
            if FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") {
                let verify = try await runProgram(["/usr/bin/systemd-analyze", "verify", unitPath])
                #expect(verify.status == 0, "\(verify.output)")
            }
            // Exactly the unit's ExecStart, with the config file where --root put it.
            let exec = try requireValue(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") }, "no ExecStart")
            let argv = exec.dropFirst("ExecStart=".count).split(separator: " ").map(String.init)
                .map { $0 == "/etc/steward/agent.json" ? configPath : $0 }
            #expect(argv.first == binary)
            try await cluster.startAgent("host-3", argv: argv)
            try await cluster.waitForHosts(connected: ["host-3"])
            let done = try await cluster.client.run(.start, "Coordinator", onlySelf: true)
            #expect(done.state == .complete, "\(done.errorDescription)")
            let instances = try await cluster.client.instances(service: "Coordinator")
            #expect(instances.first { $0.hostName == "host-3" }?.operationalStatus == .started)

            let again = try await runSteward(["agent", "install", "--manager", "http://127.0.0.1:1", "--host", "host-3", "--root", root])
            #expect(again.status != 0 && again.output.contains("--force"), "an existing file is kept: \(again.output)")
            #expect(try String(contentsOfFile: configPath, encoding: .utf8) == config)
            let bad = try await runSteward(["agent", "install", "--manager", "ftp://x", "--host", "host-3", "--root", root + "2"])
            #expect(bad.status != 0 && !FileManager.default.fileExists(atPath: root + "2"))
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    /// The shipped binary links the Swift runtime statically. CI builds one after
    /// the suite (`scripts/toolchain-free-test.sh`: `swift build --static-swift-stdlib`),
    /// names it in STEWARD_STATIC_BINARY and runs this test alone; the agent runs in a mount namespace where the toolchain's directory is
    /// an empty tmpfs, joins, and starts a role process (itself, `steward role`).
    @Test("the statically linked agent runs with the Swift toolchain hidden from it",
          .enabled(if: StaticBinary.path != nil))
    func agentWithoutToolchain() async throws {
        let binary = try requireValue(StaticBinary.path, "STEWARD_STATIC_BINARY")
        let ldd = try await runProgram(["/usr/bin/ldd", binary])
        #expect(!ldd.output.lowercased().contains("swift"), "\(ldd.output)")
        let toolchain = await StaticBinary.toolchainDirectory()
        let hidden = try await runProgram(["/usr/bin/unshare", "-m", "sh", "-c",
                                     "mount -t tmpfs none \"$0\" && ls -A \"$0\" | wc -l", toolchain])
        #expect(hidden.status == 0 && hidden.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0",
                "the toolchain must be hidden: \(hidden.output)")
        let cluster = try await TestCluster.start(hosts: ["host-1", "host-2"])
        do {
            try await cluster.startAgent("host-3", argv: [
                "/usr/bin/unshare", "-m", "sh", "-c", "mount -t tmpfs none \"$0\" && shift && exec \"$@\"", toolchain, "-",
                binary, "agent", "--manager", await cluster.client.baseURL, "--host", "host-3",
                "--data-dir", cluster.root + "/host-3", "--token-file", cluster.root + "/manager/agent.token",
            ])
            try await cluster.waitForHosts(connected: ["host-3"])
            let done = try await cluster.client.run(.start, "Coordinator", onlySelf: true)
            #expect(done.state == .complete, "\(done.errorDescription)")
            let view = try await cluster.client.instances(service: "Coordinator").first { $0.hostName == "host-3" }
            let pid = try requireValue(view?.pid, "no pid for CoordinatorServer@host-3")
            #expect(ProcessControl.commandLine(pid)?.hasPrefix(binary) == true, "the role runs the static binary too")
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }
}

enum StaticBinary {
    static var path: String? { ProcessInfo.processInfo.environment["STEWARD_STATIC_BINARY"] }

    /// The toolchain's root: /opt/swift here, else two levels above `swift`'s real path.
    static func toolchainDirectory() async -> String {
        if FileManager.default.fileExists(atPath: "/opt/swift/usr/bin/swift") { return "/opt/swift" }
        let swift = (try? await runProgram(["/bin/sh", "-c", "readlink -f \"$(command -v swift)\""]))?.output ?? ""
        return URL(fileURLWithPath: swift.trimmingCharacters(in: .whitespacesAndNewlines))
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
}

struct ProgramRun {
    let status: Int32
    let output: String
}

/// Runs a program to its end (as `steward(_:manager:)` does the CLI), its stdout and stderr together.
func runProgram(_ argv: [String]) async throws -> ProgramRun {
    let log = NSTemporaryDirectory() + "steward-run-\(getpid())-\(UUID().uuidString).log"
    defer { try? FileManager.default.removeItem(atPath: log) }
    let pid = try ProcessControl.spawn(argv, environment: ProcessInfo.processInfo.environment, logPath: log, newSession: false)
    let status = try await waitFor("\(argv[0]) to exit", timeout: .seconds(60)) { () -> Int32? in
        if case .exited(let status) = ProcessControl.liveness(pid) { return status }
        return nil
    }
    return ProgramRun(status: status, output: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
}

func runSteward(_ arguments: [String]) async throws -> ProgramRun {
    try await runProgram([TestCluster.binary] + arguments)
}
