import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import StewardSystem

/// `steward demo`: a manager and three agents (host-1..3) as child processes on
/// this machine, running the bundled demo stack. Ctrl-C stops all of it, role
/// processes included. A second run reuses the data directory.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Run a manager and three local agents with the demo stack.")

    @Option(help: "Directory for the manager's store and the agents' instances.")
    var dataDir: String = "steward-data"

    @Option(help: "Port of the manager's API.")
    var port: Int = 9443

    @Option(help: "Password of the first 'admin' user (else STEWARD_ADMIN_PASSWORD, else generated and printed once).")
    var adminPassword: String?

    @Option(help: "Added to every role port of the demo stack.")
    var portShift: Int = 0

    @Option(help: "Failed logins of one user before it is refused for a while.")
    var loginFailureLimit: Int = 5

    func run() async throws {
        let logger = LogSetup.logger("steward.demo", level: .info)
        let demo = DemoService(options: self, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [demo], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

struct DemoService: Service {
    let options: DemoCommand
    let logger: Logger

    func run() async throws {
        let fm = FileManager.default
        let root = URL(fileURLWithPath: options.dataDir).standardizedFileURL.path
        let managerDir = root + "/manager"
        try fm.createDirectory(atPath: managerDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try? fm.removeItem(atPath: managerDir + "/manager.url")
        let exe = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]

        let managerArgs = ["manager", "--data-dir", managerDir, "--port", String(options.port),
                           "--port-shift", String(options.portShift), "--login-failure-limit", String(options.loginFailureLimit)]
        var environment = ProcessInfo.processInfo.environment
        if let password = options.adminPassword { environment["STEWARD_ADMIN_PASSWORD"] = password }
        let manager = try Child.start(exe, managerArgs, environment: environment)
        var children = [manager]
        guard let url = await waitForFile(managerDir + "/manager.url", while: manager) else {
            await manager.stop()
            throw ValidationError("the manager did not start; see its output above")
        }
        for n in 1...3 {
            let host = "host-\(n)"
            guard let child = try? Child.start(exe, [
                "agent", "--manager", url, "--host", host, "--data-dir", root + "/" + host,
                "--token-file", managerDir + "/agent.token", "--stop-instances-on-exit",
            ], environment: ProcessInfo.processInfo.environment) else {
                for child in children.reversed() { await child.stop() }
                throw ValidationError("cannot start the agent of \(host)")
            }
            children.append(child)
        }
        print("""

            Steward demo is running.
              API:      \(url)/web/v1  (try: curl -u admin:PASSWORD \(url)/web/v1/cluster/1/services)
              Login:    user 'admin', password from --admin-password / STEWARD_ADMIN_PASSWORD,
                        or the one printed above on the first run
              Data:     \(root)
            Press Ctrl-C to stop the manager, the agents and every role process.

            """)
        // Until Ctrl-C, or until a child dies on its own (then stop the rest).
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await gracefulShutdown() }
            for child in children {
                group.addTask { await child.waitForExit() }
            }
            await group.next()
            group.cancelAll()
        }
        logger.info("stopping the demo")
        // Agents first (they stop their role processes), then the manager.
        for child in children.reversed() { await child.stop() }
    }

    func waitForFile(_ path: String, while child: Child) async -> String? {
        for _ in 0..<600 {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) {
                return text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if !child.isRunning { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }
}

/// A child process of the demo, in its own session so that Ctrl-C reaches
/// only the demo, which then stops the children in order.
struct Child: Sendable {
    let pid: pid_t

    static func start(_ exe: String, _ args: [String], environment: [String: String]) throws -> Child {
        Child(pid: try ProcessControl.spawn([exe] + args, environment: environment, logPath: nil, newSession: true))
    }

    var isRunning: Bool { ProcessControl.liveness(pid) == .running }

    func waitForExit() async {
        while isRunning && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// SIGTERM, up to 30 s for a clean exit, then SIGKILL.
    func stop() async {
        await ProcessControl.terminate(pid, grace: .seconds(30))
    }
}
