import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import StewardSystem

/// `steward demo`: a manager and three agents (host-1..3) as child processes on
/// this machine, running the bundled demo stack. It supervises them: one that
/// dies is restarted, a few times; Ctrl-C stops all of it, role processes
/// included. A second run reuses the data directory.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Run a manager and three local agents with the demo stack.")

    @Option(help: "Directory for the manager's store and the agents' instances.")
    var dataDir: String = "steward-data"

    @Option(help: "Port of the manager's API.")
    var port: Int = 9443

    @Option(help: "Password of the first 'admin' user. For demos only: any user of the host can read it in ps; use --admin-password-file or STEWARD_ADMIN_PASSWORD.")
    var adminPassword: String?

    @Option(help: "File holding the password of the first 'admin' user (else STEWARD_ADMIN_PASSWORD, else generated and printed once).")
    var adminPasswordFile: String?

    @Option(help: "Added to every role port of the demo stack.")
    var portShift: Int = 0

    @Option(help: "The bundled stack to run: demo (Steward's own role processes) or lab (ZooKeeper, Redis and nginx from the OS's packages; each agent on its own address 127.0.1.N, standard ports).")
    var stack: String = "demo"

    @Option(help: "Failed logins of one user before it is refused for a while.")
    var loginFailureLimit: Int = 5

    @Option(help: "How many managers to run, on ports --port, --port+1, ...; more than one needs --database (docs/ha.md).")
    var managers: Int = 1

    @Option(help: "The PostgreSQL database the managers share, postgres://USER[:PASSWORD]@HOST:PORT/DB (default: each run's own SQLite file).")
    var database: String?

    func validate() throws {
        guard ["demo", "lab"].contains(stack) else { throw ValidationError("--stack must be demo or lab, not '\(stack)'") }
        guard (1...9).contains(managers) else { throw ValidationError("--managers must be 1 to 9") }
        guard managers == 1 || database != nil else {
            throw ValidationError("several managers share one PostgreSQL database: give it with --database postgres://...")
        }
    }

    func run() async throws {
        let logger = LogSetup.logger("steward.demo", level: .info)
        let demo = DemoService(options: self, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [demo], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Why the demo stops on its own: said in one line, then exit status 1.
struct DemoFailure: Error, CustomStringConvertible {
    let description: String
}

struct DemoService: Service {
    let options: DemoCommand
    let logger: Logger

    func run() async throws {
        let children = DemoChildren(logger: logger)
        do {
            try await cancelWhenGracefulShutdown { try await self.supervise(children) }
            logger.info("stopping the demo")
            await children.stopAll()
        } catch {
            logger.error("\(error); stopping the demo")
            await children.stopAll()
            throw ExitCode.failure
        }
    }

    /// Starts the manager, then the agents, and keeps them running until cancelled.
    private func supervise(_ children: DemoChildren) async throws {
        let root = URL(fileURLWithPath: options.dataDir).standardizedFileURL.path
        let managerDir = root + "/manager"
        do {
            try FileManager.default.createDirectory(atPath: managerDir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw DemoFailure(description: "cannot create \(managerDir): \(error.localizedDescription)")
        }
        try? FileManager.default.removeItem(atPath: managerDir + "/manager.url")
        var environment = ProcessInfo.processInfo.environment
        if let password = options.adminPassword { environment["STEWARD_ADMIN_PASSWORD"] = password }

        // The first manager creates the store, the sealing key and the join token; the others then share them.
        var urls: [String] = []
        for n in 1...options.managers {
            let name = n == 1 ? "manager" : "manager \(n)"
            let dir = n == 1 ? managerDir : root + "/manager-\(n)"
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try? FileManager.default.removeItem(atPath: dir + "/manager.url")
            let wanted = options.port == 0 ? 0 : options.port + n - 1
            try await children.start(name, managerArguments(dir, port: wanted, keyFile: managerDir + "/secret.key"), environment: environment)
            guard let url = await waitForURL(dir + "/manager.url", name: name, children: children) else {
                if Task.isCancelled { return }
                throw DemoFailure(description: "the \(name) did not start; see its output above")
            }
            // A restarted manager must listen where the agents dial, even if --port 0 picked the port.
            let port = URL(string: url)?.port ?? wanted
            await children.setArguments(name, managerArguments(dir, port: port, keyFile: managerDir + "/secret.key"))
            urls.append(url)
        }
        for n in 1...3 {
            let host = "host-\(n)"
            // The lab's hosts are loopback addresses of their own, so that every member uses the standard ports.
            let address = options.stack == "lab" ? ["--address", "127.0.1.\(n)"] : []
            // Each agent starts with a different manager first, so that the hosts spread over them.
            let order = urls.indices.map { urls[($0 + n - 1) % urls.count] }
            try await children.start("agent \(host)", [
                "agent", "--manager", order.joined(separator: ","), "--host", host, "--data-dir", root + "/" + host,
                "--token-file", managerDir + "/agent.token", "--stop-instances-on-exit",
            ] + address, environment: ProcessInfo.processInfo.environment)
        }
        Self.printBanner(urls: urls, root: root)
        try await children.superviseUntilCancelled()
    }

    private func managerArguments(_ managerDir: String, port: Int, keyFile: String) -> [String] {
        ["manager", "--data-dir", managerDir, "--port", String(port), "--stack", options.stack,
         "--port-shift", String(options.portShift), "--login-failure-limit", String(options.loginFailureLimit)]
            + (options.adminPasswordFile.map { ["--admin-password-file", $0] } ?? [])
            + (options.database.map { ["--database", $0, "--key-file", keyFile] } ?? [])
    }

    private func waitForURL(_ path: String, name: String, children: DemoChildren) async -> String? {
        while !Task.isCancelled {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) {
                return text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard await children.isRunning(name) else { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Written straight to the file descriptor: `print` would sit in stdio's
    /// buffer until exit when stdout is a pipe or a file.
    static func printBanner(urls: [String], root: String) {
        let url = urls[0]
        let others = urls.count > 1
            ? "  Managers: \(urls.joined(separator: " ")) (any of them answers; docs/ha.md)\n" : ""
        let banner = """

            Steward demo is running.
            \(others)              Web UI:   \(url)/
              CLI:      steward login --manager \(url) --user admin
              API:      \(url)/web/v1  (try: curl -u admin:PASSWORD \(url)/web/v1/cluster/1/services)
              Login:    user 'admin', password from --admin-password / STEWARD_ADMIN_PASSWORD,
                        or the one printed above on the first run (a generated one must be
                        changed first: the web UI asks; the API answers 10020 until then)
              Data:     \(root)
            Press Ctrl-C to stop the manager, the agents and every role process.


            """
        FileHandle.standardOutput.write(Data(banner.utf8))
    }
}

/// The demo's child processes, each in its own session so that Ctrl-C
/// reaches only the demo, which then stops them in order.
actor DemoChildren {
    struct Member {
        let name: String
        var arguments: [String]
        var environment: [String: String]
        /// Nil once it has exited and until it is started again.
        var pid: pid_t?
        var startedAt = ContinuousClock.now
        var budget = RestartBudget()
    }

    private var members: [Member] = []
    private let executable = ProcessControl.ownExecutable()
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func start(_ name: String, _ arguments: [String], environment: [String: String]) throws {
        let pid: pid_t
        do {
            pid = try ProcessControl.spawn([executable] + arguments, environment: environment, logPath: nil)
        } catch {
            throw DemoFailure(description: "cannot start the \(name): \(error)")
        }
        members.append(Member(name: name, arguments: arguments, environment: environment, pid: pid))
    }

    func setArguments(_ name: String, _ arguments: [String]) {
        for i in members.indices where members[i].name == name { members[i].arguments = arguments }
    }

    func isRunning(_ name: String) -> Bool {
        members.contains { $0.name == name && $0.pid.map { ProcessControl.liveness($0) == .running } == true }
    }

    /// Until cancelled, restarts whichever child exits; throws once one has
    /// used up its restarts.
    func superviseUntilCancelled() async throws {
        while !Task.isCancelled {
            if let (index, how) = reapOne() {
                try await restart(index, after: how)
            } else {
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// A child that has exited, and how ("status 1", "signal 9").
    private func reapOne() -> (Int, String)? {
        for index in members.indices {
            guard let pid = members[index].pid else { continue }
            switch ProcessControl.liveness(pid) {
            case .running: continue
            case .exited(let status):
                members[index].pid = nil
                return (index, ProcessControl.describeExit(status))
            case .gone:
                members[index].pid = nil
                return (index, "gone")
            }
        }
        return nil
    }

    private func restart(_ index: Int, after how: String) async throws {
        let member = members[index]
        guard let (attempt, delay) = members[index].budget.next(afterRunningFor: .now - member.startedAt) else {
            throw DemoFailure(description: "\(member.name) exited (\(how)) after \(member.budget.limit) restarts")
        }
        logger.warning("\(member.name) exited (\(how)); restarting (\(attempt)/\(member.budget.limit))")
        try? await Task.sleep(for: delay)
        guard !Task.isCancelled else { return }
        do {
            members[index].pid = try ProcessControl.spawn([executable] + member.arguments, environment: member.environment, logPath: nil)
            members[index].startedAt = .now
        } catch {
            throw DemoFailure(description: "cannot restart the \(member.name): \(error)")
        }
    }

    /// The agents first, together (each stops its role processes), then the
    /// manager: no agent sees its manager go while it stops.
    func stopAll() async {
        let agents = members.filter { $0.name != "manager" }.compactMap(\.pid)
        await withTaskGroup(of: Void.self) { group in
            for pid in agents {
                group.addTask { await ProcessControl.terminate(pid, grace: .seconds(30)) }
            }
        }
        for case let pid? in members.filter({ $0.name == "manager" }).map(\.pid) {
            await ProcessControl.terminate(pid, grace: .seconds(30))
        }
        for index in members.indices { members[index].pid = nil }
    }
}
