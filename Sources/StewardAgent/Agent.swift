import AsyncHTTPClient
import Foundation
import Logging
import NIOPosix
import NIOSSL
import StewardAPI
import StewardSystem

public struct AgentOptions: Sendable {
    /// The managers it may talk to, in order (`ManagerURLs.parse`): one at a
    /// time, the next one when that one stops answering.
    public var managerURLs: [String]
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
    /// The tasks received and their outcomes (`TaskLedger`).
    public var tasksPath: String { dataDirectory + "/tasks.journal" }

    public init(managerURLs: [String], host: String, dataDirectory: String, token: String) {
        self.managerURLs = managerURLs
        self.host = host
        self.dataDirectory = dataDirectory
        self.token = token
    }
}

/// The host daemon. It dials out to one of its managers and keeps four loops:
/// a long poll that receives tasks the moment they exist, the tasks
/// themselves, a heartbeat carrying the status of every instance, and the
/// delivery of results (kept until a manager accepts them).
public final class Agent: Sendable {
    public static let version = "0.1.0"

    let options: AgentOptions
    let logger: Logger
    /// One event-loop thread for all the agent's HTTP: a long poll, a heartbeat
    /// and a few health checks at a time. The NIO singleton would start one
    /// thread per core, which on a 64-core host is 64 idle threads per agent.
    let loops: MultiThreadedEventLoopGroup
    /// For health checks and role endpoints.
    let http: HTTPClient
    /// For the managers only (`ManagerLink`).
    let managerHTTP: HTTPClient
    let managers: ManagerList
    let link: ManagerLink
    let supervisor: InstanceSupervisor
    /// Every task received, with its outcome: none runs twice, no result is lost.
    let ledger: TaskLedger
    /// The latest output of running tasks not yet sent.
    let outputs = PendingOutputs()
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
        // To the managers, a connection refused must fail the request at once, not be
        // retried until the connect timeout: the agent then tries its next manager. And a
        // manager whose host is gone must not hold it for the default 10 s either.
        var managerConfig = config
        managerConfig.connectionPool.retryConnectionEstablishment = false
        managerConfig.timeout.connect = .seconds(3)
        self.managerHTTP = HTTPClient(eventLoopGroupProvider: .shared(loops), configuration: managerConfig)
        self.managers = ManagerList(options.managerURLs.map { $0.trimmingSuffix("/") }, logger: logger)
        self.ledger = TaskLedger(path: options.tasksPath, logger: logger)
        self.link = ManagerLink(managers: managers,
                                credential: HostCredential(host: options.host, joinToken: options.token, path: options.credentialPath),
                                http: managerHTTP)
        self.supervisor = InstanceSupervisor(root: options.dataDirectory + "/instances", http: http, logger: logger,
                                             host: options.host, address: options.address)
    }

    /// Rung by the live checks when an instance changes: the heartbeat goes at once.
    let doorbell = Doorbell()
    /// Rung when a result or output is waiting to be sent.
    let deliveries = Doorbell()
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
        try? await managerHTTP.shutdown()
        try? await http.shutdown()
        try? await loops.shutdownGracefully()
    }

    /// Runs a task the ledger has marked running and keeps its result for delivery.
    func execute(_ task: AgentTask) async {
        logger.info("task", metadata: ["id": "\(task.taskId)", "op": "\(task.operation.rawValue)", "instance": "\(task.instance)"])
        let outputs = self.outputs
        let deliveries = self.deliveries
        let outcome = await supervisor.run(task) { tail in
            outputs.offer(taskId: task.taskId, tail: String(tail.suffix(4096)))
            Task { await deliveries.ring() }
        }
        let result = AgentTaskResult(
            host: options.host, taskId: task.taskId, succeeded: outcome.succeeded, detail: outcome.detail,
            exitCode: outcome.exitCode, outputTail: String(outcome.outputTail.suffix(4096)),
            instance: await report(of: task), errorCode: outcome.errorCode?.rawValue)
        // Kept (on disk) before it is sent: the manager may die before it takes it.
        ledger.finish(result)
        outputs.drop(taskId: task.taskId)
        await deliveries.ring()
    }

    /// The instance a task is about, as it is now.
    func report(of task: AgentTask) async -> InstanceReport {
        await supervisor.report(role: task.instance.role) ?? InstanceReport(
            service: task.instance.service, role: task.instance.role, status: .stopped, health: .unknown,
            pid: nil, configDigest: nil, observedAt: InstanceSupervisor.nowMicros())
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
