import StewardAPI

/// How a rolling restart goes: how many instances at a time, how long to wait
/// between batches, how many failed instances it bears before it stops.
public struct RollingPolicy: Sendable, Codable, Hashable {
    /// An hour: a longer wait between batches is a schedule, not a pause.
    public static let maxPauseSeconds = 3600

    public var batchSize: Int
    public var pauseSeconds: Int
    public var failureTolerance: Int

    public init(batchSize: Int = 1, pauseSeconds: Int = 0, failureTolerance: Int = 0) {
        self.batchSize = batchSize
        self.pauseSeconds = pauseSeconds
        self.failureTolerance = failureTolerance
    }

    /// A request's values, absent ones defaulted; every bad one named at once (10002).
    public static func validated(batchSize: Int?, pauseSeconds: Int?, failureTolerance: Int?) throws(StewardError) -> RollingPolicy {
        let policy = RollingPolicy(batchSize: batchSize ?? 1, pauseSeconds: pauseSeconds ?? 0, failureTolerance: failureTolerance ?? 0)
        var problems: [String] = []
        if policy.batchSize < 1 { problems.append("batch_size must be at least 1 (got \(policy.batchSize))") }
        if !(0...maxPauseSeconds).contains(policy.pauseSeconds) {
            problems.append("pause_seconds must be 0-\(maxPauseSeconds) (got \(policy.pauseSeconds))")
        }
        if policy.failureTolerance < 0 { problems.append("failure_tolerance must be 0 or more (got \(policy.failureTolerance))") }
        guard problems.isEmpty else { throw StewardError(.invalidParameter, problems.joined(separator: "; ") + ".") }
        return policy
    }
}

/// What a running rolling restart carries beside its steps: its policy, and
/// the instances it left alone because they were not running when it was planned.
public struct RollingRestartRun: Sendable, Codable, Hashable {
    public var policy: RollingPolicy
    public var notRunning: [InstanceRef]

    public init(policy: RollingPolicy, notRunning: [InstanceRef]) {
        self.policy = policy
        self.notRunning = notRunning
    }
}

/// The pure rules of a rolling restart: which instances, in which batches,
/// what each batch's step is called, when the next batch may begin, and when
/// failures are too many. `Command.advance` applies them; the command center
/// only ticks it, so that a pause passes without anything sleeping.
///
/// Only running instances are restarted, as Cloudera Manager's rolling
/// restart does: a stopped instance was stopped for a reason, and a rolling
/// restart is there to keep a running service available, not to start it.
public enum RollingRestart {
    /// The service's placed instances in stack order: role by role, each role's by ordinal.
    public static func instances(of service: ServiceDefinition, in topology: Topology) -> [InstanceRef] {
        service.roles.flatMap { role in topology.placements(ofRole: role.name).map(\.ref) }
    }

    /// `items` in consecutive groups of `size` (the last may be smaller); none for none.
    public static func batches<T>(_ items: [T], size: Int) -> [[T]] {
        let size = max(1, size)
        return stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
    }

    /// "Restart batch 2 of 3: QuorumPeer@host-2" (batches numbered from 1).
    public static func stepName(batch: Int, of count: Int, instances: [InstanceRef]) -> String {
        "Restart batch \(batch) of \(count): " + Planner.listing(instances.map(\.description), noun: "instances")
    }

    /// When the step after one that ended at `previousEnded` may begin.
    public static func nextBatchDue(previousEnded: Millis, pauseSeconds: Int) -> Millis {
        previousEnded + Millis(pauseSeconds) * 1000
    }

    /// Whether `failed` failed instances are more than the tolerance bears: the command then fails.
    public static func exceedsTolerance(failed: Int, tolerance: Int) -> Bool {
        failed > tolerance
    }

    /// The steps of a rolling restart of `service`: one per batch of its
    /// running instances. Refused (13004) when none runs, so that an operator
    /// who meant "start" is told rather than given an empty command.
    public static func plan(service name: String, running: Set<InstanceRef>, policy: RollingPolicy,
                            in stack: Stack, topology: Topology? = nil) throws(StewardError) -> (steps: [Step], run: RollingRestartRun) {
        guard let service = stack.service(name) else {
            throw StewardError(.serviceNotFound, "Service '\(name)' does not exist in the cluster.")
        }
        let all = instances(of: service, in: topology ?? Topology(layoutOf: stack))
        let targets = all.filter(running.contains)
        guard !targets.isEmpty else {
            throw StewardError(.nothingRunning,
                "No instance of service '\(name)' is running; a rolling restart restarts only running instances. Start the service instead.")
        }
        let groups = batches(targets, size: policy.batchSize)
        let steps = groups.enumerated().map { i, group in
            let pause = i + 1 < groups.count && policy.pauseSeconds > 0 ? ", then wait \(policy.pauseSeconds) s" : ""
            return Step(index: i, name: stepName(batch: i + 1, of: groups.count, instances: group),
                        description: "Stop, start and wait until healthy again: \(group.count) instance(s) of \(name)\(pause)",
                        tasks: group.map { CommandTask(instance: $0, operation: .restart) })
        }
        return (steps, RollingRestartRun(policy: policy, notRunning: all.filter { !running.contains($0) }))
    }

    /// The failure of a command whose failed instances passed the tolerance (14010).
    public static func toleranceExceeded(failed: [CommandTask], tolerance: Int, skippedBatches: Int) -> String {
        let rest = skippedBatches > 0 ? " \(skippedBatches) later batch(es) not run." : ""
        return "\(failed.count) instance(s) failed to restart, more than the failure tolerance of \(tolerance): "
            + named(failed) + "." + rest
    }

    /// A completed rolling restart's description: the failures it bore and what it left alone; empty when neither.
    public static func completion(failed: [CommandTask], notRunning: [InstanceRef], tolerance: Int) -> String {
        var parts: [String] = []
        if !failed.isEmpty {
            parts.append("\(failed.count) instance(s) failed to restart, within the failure tolerance of \(tolerance): \(named(failed)).")
        }
        if !notRunning.isEmpty {
            parts.append("Not restarted, as they were not running: "
                         + Planner.listing(notRunning.map(\.description), noun: "instances") + ".")
        }
        return parts.joined(separator: " ")
    }

    private static func named(_ tasks: [CommandTask]) -> String {
        Planner.listing(tasks.map { $0.detail.isEmpty ? "\($0.instance)" : "\($0.instance) (\($0.detail))" },
                        noun: "instances", separator: "; ")
    }
}
