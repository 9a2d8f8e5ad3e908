import AsyncHTTPClient
import Foundation
import Logging
import NIOPosix
import NIOSSL
import StewardAPI
import StewardSystem

public struct AgentOptions: Sendable {
    public var managerURL: String
    public var host: String
    /// The host's address (`--address`): reported to the manager, used by
    /// templates (`{{host.address}}`) and by health checks.
    public var address = "127.0.0.1"
    public var dataDirectory: String
    public var token: String
    /// Stop every role process when the agent exits (used by `steward demo`);
    /// by default they keep running and a restarted agent re-attaches.
    public var stopInstancesOnExit = false
    /// PEM file of the certificate authorities that the manager's certificate
    /// must chain to (for an https manager URL); the system's roots otherwise.
    public var caFile: String?
    /// Where the host's own credential is kept once the manager issues it.
    public var credentialPath: String { dataDirectory + "/host.credential" }

    public init(managerURL: String, host: String, dataDirectory: String, token: String) {
        self.managerURL = managerURL
        self.host = host
        self.dataDirectory = dataDirectory
        self.token = token
    }
}

/// The host daemon. It dials out to the manager and keeps three loops: a long
/// poll that receives tasks the moment they exist, the tasks themselves, and a
/// heartbeat carrying the status of every instance.
public final class Agent: Sendable {
    public static let version = "0.1.0"

    let options: AgentOptions
    let logger: Logger
    /// One event-loop thread for all the agent's HTTP: a long poll, a heartbeat
    /// and a few health checks at a time. The NIO singleton would start one
    /// thread per core, which on a 64-core host is 64 idle threads per agent.
    let loops: MultiThreadedEventLoopGroup
    let http: HTTPClient
    let link: ManagerLink
    let supervisor: InstanceSupervisor
    /// Sent with every registration: a new value tells the manager this is a new process.
    let incarnation = UUID().uuidString

    public init(options: AgentOptions, logger: Logger) {
        self.options = options
        self.logger = logger
        var config = HTTPClient.Configuration()
        config.connectionPool.idleTimeout = .seconds(60)
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let caFile = options.caFile { tls.trustRoots = .file(caFile) }
        config.tlsConfiguration = tls
        self.loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.http = HTTPClient(eventLoopGroupProvider: .shared(loops), configuration: config)
        self.link = ManagerLink(baseURL: options.managerURL.trimmingSuffix("/"),
                                credential: HostCredential(host: options.host, joinToken: options.token, path: options.credentialPath),
                                http: http)
        self.supervisor = InstanceSupervisor(root: options.dataDirectory + "/instances", http: http, logger: logger,
                                             host: options.host, address: options.address)
    }

    /// Rung by the live checks when an instance changes: the heartbeat goes at once.
    let doorbell = Doorbell()
    /// How often the agent looks whether each instance's process still lives.
    static let livenessInterval = Duration.seconds(1)

    /// Runs until cancelled (graceful shutdown). Role processes keep running
    /// unless `stopInstancesOnExit` is set.
    public func run() async {
        let (work, inbox) = AsyncStream.makeStream(of: AgentTask.self)
        await withTaskGroup(of: Void.self) { group in
            // Tasks run in this outer group, so that a task in flight outlives
            // a broken connection and the agent can re-register meanwhile.
            group.addTask {
                await withTaskGroup(of: Void.self) { running in
                    for await task in work {
                        running.addTask { await self.execute(task) }
                    }
                }
            }
            group.addTask {
                await self.connectionLoop(inbox: inbox)
                inbox.finish()
            }
            group.addTask { await self.monitorLoop() }
            await group.waitForAll()
        }
        if options.stopInstancesOnExit {
            logger.info("stopping role processes")
            // This task is cancelled by now (that is how the agent stops); a stop's
            // waits are not, so each process still gets its grace before SIGKILL.
            await supervisor.stopAll()
        }
    }

    public func shutdown() async {
        try? await http.shutdown()
        try? await loops.shutdownGracefully()
    }

    private func connectionLoop(inbox: AsyncStream<AgentTask>.Continuation) async {
        var received = ReceivedTasks()
        while !Task.isCancelled {
            guard let welcome = await registerWithRetry() else { break }
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await self.heartbeatLoop(intervalMs: welcome.heartbeatIntervalMs, metricsIntervalMs: welcome.metricsIntervalMs)
                }
                // The poll loop ends when the link breaks; then re-register (the manager may have restarted).
                await self.pollLoop(timeoutMs: welcome.pollTimeoutMs, received: &received, inbox: inbox)
                group.cancelAll()
            }
        }
    }

    private func registerWithRetry() async -> AgentWelcome? {
        var backoff = Duration.milliseconds(50)
        var lastError = ""
        while !Task.isCancelled {
            do {
                link.credential.reload()
                let info = HostInfo.read()
                let hello = AgentHello(host: options.host, agentVersion: Self.version, instances: await supervisor.reports(),
                                       incarnation: incarnation, address: options.address, cores: info.cores,
                                       memoryMiB: info.memoryMiB, os: info.os)
                let welcome = try await link.register(hello)
                if let issued = welcome.credential { keep(issued) }
                if welcome.pending {
                    // Said once: an admin must approve the host; until then it asks again, every second.
                    if lastError != "pending" {
                        logger.notice("waiting for an admin to approve this host", metadata: ["host": "\(options.host)"])
                    }
                    lastError = "pending"
                    try? await Task.sleep(for: .seconds(1))
                    continue
                }
                logger.info("registered", metadata: ["manager": "\(options.managerURL)", "host": "\(options.host)"])
                return welcome
            } catch let refused as ManagerLink.Refused where refused.code == ErrorCode.agentCredentialNotFound.rawValue {
                logger.warning("the manager never issued this host's credential (a new store?); joining again",
                               metadata: ["credential": "\(options.credentialPath)"])
                link.credential.forget()
                continue
            } catch let refused as ManagerLink.Refused where refused.isFinal {
                let text = "\(refused)"
                if text != lastError {
                    logger.error("registration refused", metadata: ["reason": "\(text)", "credential": "\(options.credentialPath)"])
                }
                lastError = text
                backoff = .seconds(5)
            } catch where Task.isCancelled {
                return nil
            } catch {
                // Said once per distinct reason: a bad certificate must be visible, a restart need not be noisy.
                let text = "\(error)"
                if text != lastError { logger.warning("cannot reach the manager", metadata: ["error": "\(text)"]) }
                lastError = text
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(2))
        }
        return nil
    }

    /// Keeps the credential the manager issued at this host's first join.
    private func keep(_ issued: String) {
        do {
            try link.credential.keep(issued)
            logger.info("joined: host credential kept", metadata: ["file": "\(options.credentialPath)"])
        } catch {
            // Still used in memory; a restart would find no credential and be refused as already joined.
            logger.error("cannot keep the host credential", metadata: ["file": "\(options.credentialPath)", "error": "\(error)"])
        }
    }

    private func pollLoop(timeoutMs: Int, received: inout ReceivedTasks, inbox: AsyncStream<AgentTask>.Continuation) async {
        received.reconnected()
        while !Task.isCancelled {
            let work: AgentWork
            do {
                work = try await link.poll(host: options.host, received: received.acknowledgements, timeoutMs: timeoutMs)
            } catch {
                // A poll cut short by our own shutdown is no loss of the manager.
                if !Task.isCancelled {
                    logger.warning("lost the manager; reconnecting", metadata: ["error": "\(error)"])
                }
                return
            }
            if !work.abort.isEmpty {
                logger.info("abort", metadata: ["tasks": "\(work.abort)"])
                await supervisor.abort(work.abort)
            }
            for task in received.accept(work.tasks) {
                inbox.yield(task)
            }
        }
    }

    private func execute(_ task: AgentTask) async {
        logger.info("task", metadata: ["id": "\(task.taskId)", "op": "\(task.operation.rawValue)", "instance": "\(task.instance)"])
        let link = self.link
        let host = options.host
        let outcome = await supervisor.run(task) { tail in
            Task { try? await link.output(AgentTaskOutput(host: host, taskId: task.taskId, outputTail: String(tail.suffix(4096)))) }
        }
        let report = await supervisor.report(role: task.instance.role) ?? InstanceReport(
            service: task.instance.service, role: task.instance.role, status: .stopped, health: .unknown,
            pid: nil, configDigest: nil, observedAt: InstanceSupervisor.nowMicros())
        let result = AgentTaskResult(
            host: options.host, taskId: task.taskId, succeeded: outcome.succeeded, detail: outcome.detail,
            exitCode: outcome.exitCode, outputTail: String(outcome.outputTail.suffix(4096)), instance: report,
            errorCode: outcome.errorCode?.rawValue)
        // A result must arrive: retry until the manager takes it or says it never will.
        var backoff = Duration.milliseconds(50)
        for _ in 0..<100 where !Task.isCancelled {
            do {
                try await link.report(result)
                return
            } catch let refused as ManagerLink.Refused where refused.isFinal {
                logger.error("result refused", metadata: ["task": "\(task.taskId)", "reason": "\(refused)"])
                return
            } catch {
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(2))
            }
        }
    }

    private func heartbeatLoop(intervalMs: Int, metricsIntervalMs: Int) async {
        var metrics = HostMetrics(dataDirectory: options.dataDirectory)
        _ = metrics.sample()  // the first sample only sets the counters that rates are measured from
        var lastSample = ContinuousClock.now
        while !Task.isCancelled {
            var sample: HostSample?
            if ContinuousClock.now - lastSample >= .milliseconds(metricsIntervalMs) {
                sample = metrics.sample()
                lastSample = ContinuousClock.now
            }
            let beat = AgentHeartbeat(host: options.host, instances: await supervisor.reports(), metrics: sample)
            do {
                try await link.heartbeat(beat)
            } catch {
                logger.debug("heartbeat failed", metadata: ["error": "\(error)"])
            }
            await doorbell.wait(upTo: .milliseconds(intervalMs))
        }
    }

    /// Live health: liveness every second, each role's health check at its
    /// interval; a change rings the doorbell, and the heartbeat goes at once.
    private func monitorLoop() async {
        let doorbell = self.doorbell
        await supervisor.setOnChange { Task { await doorbell.ring() } }
        while !Task.isCancelled {
            if await supervisor.monitor() { await doorbell.ring() }
            try? await Task.sleep(for: Self.livenessInterval)
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
