import Foundation
import Logging
@testable import StewardManager
import StewardAPI
import StewardEngine
import StewardStacks
import StewardStore
import NIOConcurrencyHelpers
import Testing

/// A clock a test moves by hand.
final class ManualClock: TimeSource {
    private let millis = NIOLockedValueBox<Millis>(1_700_000_000_000)
    func now() -> Millis { millis.withLockedValue { $0 } }
    func advance(seconds: Int) { millis.withLockedValue { $0 += Millis(seconds) * 1000 } }
}

/// The agents as the center sees them, recording what it sends instead of
/// delivering it; a host is lost when the test says so.
actor FakeAgents: AgentDispatch {
    private(set) var sent: [AgentTask] = []
    private(set) var aborted: [String: [Int64]] = [:]
    var lost: Set<String> = []
    /// When set, the next enqueue waits until `release` (the center holds its gate meanwhile).
    private var holding = false
    private var held: CheckedContinuation<Void, Never>?
    private(set) var isHolding = false

    func isLost(_ host: String) -> Bool { lost.contains(host) }
    func enqueue(_ tasks: [AgentTask], for host: String) async {
        sent += tasks
        guard holding else { return }
        holding = false
        isHolding = true
        await withCheckedContinuation { held = $0 }
        isHolding = false
    }
    func holdNextEnqueue() { holding = true }
    func release() {
        held?.resume()
        held = nil
    }
    func abort(_ taskIDs: [Int64], on host: String) { aborted[host, default: []] += taskIDs }
    func lose(_ host: String) { lost.insert(host) }

    /// Tasks sent and not yet taken by `take`, in the order sent.
    func take() -> [AgentTask] {
        defer { sent = [] }
        return sent
    }
}

/// A command center over the demo stack, a real SQLite store in a temporary
/// directory, fake agents and a manual clock.
struct CenterHarness {
    let center: CommandCenter
    let agents: FakeAgents
    let clock: ManualClock
    let store: SQLStore
    let cluster: ClusterState
    let progress: ProgressCache
    let stack: Stack
    let directory: String

    static let graceMs = 5000

    static func make() async throws -> CenterHarness {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("steward-center-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var logger = Logger(label: "center-test")
        logger.logLevel = .critical
        let stack = try StackLoader.load(nameOrPath: "demo")
        let store = try await SQLiteStore.open(path: directory + "/steward.db", sealer: .ephemeral(), logger: logger)
        try await store.migrate()
        let clock = ManualClock()
        try await store.createCluster(id: stack.cluster.id, name: stack.cluster.name, description: "", stack: stack,
                                      values: [], now: clock.now())
        let cluster = ClusterState.empty(stack, createdAt: clock.now())
        let agents = FakeAgents()
        let progress = ProgressCache()
        let center = CommandCenter(store: store, cluster: cluster, agents: agents, progress: progress, telemetry: Telemetry(),
                                   settings: .init(heartbeatTimeoutMs: 5000, taskGraceMs: graceMs), stack: stack,
                                   clock: clock, logger: logger)
        return CenterHarness(center: center, agents: agents, clock: clock, store: store, cluster: cluster,
                             progress: progress, stack: stack, directory: directory)
    }

    func close() async {
        await store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The agent's answer to a task, as an agent would post it.
    func result(_ task: AgentTask, succeeded: Bool = true, detail: String = "") -> AgentEvent {
        let started = succeeded && task.operation == .start
        let report = InstanceReport(service: task.instance.service, role: task.instance.role,
                                    status: started ? .started : .stopped, health: started ? .good : .unknown,
                                    pid: started ? 4242 : nil, configDigest: task.configDigest, observedAt: clock.now() * 1000)
        return .result(AgentTaskResult(host: task.instance.host, taskId: task.taskId, succeeded: succeeded, detail: detail,
                                       exitCode: succeeded ? nil : 1, outputTail: succeeded ? "" : "boom", instance: report))
    }

    /// What the hub does with a result: records the instance's status, then tells the center.
    func deliver(_ task: AgentTask, succeeded: Bool = true) async {
        let event = result(task, succeeded: succeeded)
        if case .result(let r) = event { await cluster.record(r.instance, host: r.host) }
        await center.hear(event)
    }

    /// Answers every task sent so far with success, step after step, until nothing more is sent.
    func succeedAll() async {
        while true {
            let tasks = await agents.take()
            if tasks.isEmpty { return }
            for task in tasks { await deliver(task) }
        }
    }

    /// The command as stored, which is what clients are shown.
    func stored(_ id: Int64) async throws -> Command {
        try #require(try await store.command(id: id))
    }
}

/// The center as the hub sees it: records every event.
actor RecordingSink: AgentEventSink {
    private(set) var events: [AgentEvent] = []
    func receive(_ event: AgentEvent) { events.append(event) }
}

extension AgentHub {
    /// A hub over the demo stack's cluster state, with a manual clock.
    static func forTest(hosts: [String], heartbeatTimeoutMs: Int = 60_000, clock: ManualClock = ManualClock()) async throws -> AgentHub {
        let cluster = ClusterState.empty(try StackLoader.load(nameOrPath: "demo"), createdAt: 0)
        return AgentHub(hosts: hosts, heartbeatTimeoutMs: heartbeatTimeoutMs, cluster: cluster,
                        metrics: MetricsHistory(windowMinutes: 60), clock: clock)
    }
}

extension ClusterState {
    /// A stack's cluster with no configuration saved and no instance reported.
    static func empty(_ stack: Stack, createdAt: Millis) -> ClusterState {
        let record = ClusterRecord(id: stack.cluster.id, name: stack.cluster.name, description: "", stackName: stack.name,
                                   stackVersion: stack.version, createdAt: createdAt)
        return ClusterState(stack: stack, record: record, configuration: Configuration([]),
                            topology: Topology(layoutOf: stack, joinedAt: createdAt))
    }
}

extension CommandCenter {
    /// `receive` for tests that deliver what the store is sure to take.
    func hear(_ event: AgentEvent) async { try? await receive(event) }
}
