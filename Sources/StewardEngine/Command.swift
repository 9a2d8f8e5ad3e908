import StewardAPI

/// One unit of work: one operation on one instance. Tasks of a step run in parallel.
public struct CommandTask: Sendable, Codable, Hashable, Identifiable {
    public var id: Int64
    public let instance: InstanceRef
    public let operation: Operation
    public var state: ExecutionState = .pending
    public var errorCode: ErrorCode? = nil
    /// A one-line reason a person can act on, e.g. "port 21101 is already in use".
    public var detail: String = ""
    public var exitCode: Int32? = nil
    public var outputTail: String = ""
    public var startedAt: Millis? = nil
    public var endedAt: Millis? = nil

    public init(id: Int64 = 0, instance: InstanceRef, operation: Operation) {
        self.id = id
        self.instance = instance
        self.operation = operation
    }
}

/// An ordered stage of a command, e.g. "Start StorageNode".
public struct Step: Sendable, Codable, Hashable {
    public let index: Int
    public let name: String
    public let description: String
    public var state: ExecutionState = .pending
    public var tasks: [CommandTask]
    public var startedAt: Millis? = nil
    public var endedAt: Millis? = nil

    public init(index: Int, name: String, description: String, tasks: [CommandTask]) {
        self.index = index
        self.name = name
        self.description = description
        self.tasks = tasks
    }

    /// Weight of the step's work done, 0...1. Monotonic in task state order.
    public var fractionDone: Double {
        if tasks.isEmpty { return state.isTerminal || state == .running ? 1 : 0 }
        let sum = tasks.reduce(0.0) { acc, task in
            switch task.state {
            case .pending: acc
            case .running: acc + 0.5
            case .succeeded, .failed, .skipped: acc + 1
            }
        }
        return sum / Double(tasks.count)
    }
}

/// The outcome of a task as reported by an agent or decided by the manager.
public struct TaskOutcome: Sendable, Hashable {
    public var succeeded: Bool
    public var errorCode: ErrorCode?
    public var detail: String
    public var exitCode: Int32?
    public var outputTail: String

    public init(succeeded: Bool, errorCode: ErrorCode? = nil, detail: String = "", exitCode: Int32? = nil, outputTail: String = "") {
        self.succeeded = succeeded
        self.errorCode = succeeded ? nil : (errorCode ?? .taskFailed)
        self.detail = detail
        self.exitCode = exitCode
        self.outputTail = outputTail
    }

    public static func failure(_ code: ErrorCode, _ detail: String) -> TaskOutcome {
        TaskOutcome(succeeded: false, errorCode: code, detail: detail)
    }
}

/// What a transition changed, so that the store writes only that.
public struct CommandChange: Sendable, Equatable {
    public var tasks: Set<Int64> = []
    public var steps: Set<Int> = []
    /// Tasks that became RUNNING and must be sent to their agents.
    public var dispatch: [CommandTask] = []

    public init() {}
    public var isEmpty: Bool { tasks.isEmpty && steps.isEmpty }

    /// Adds a later change of the same command, so that several transitions
    /// are stored as one write.
    public mutating func merge(_ later: CommandChange) {
        tasks.formUnion(later.tasks)
        steps.formUnion(later.steps)
        dispatch += later.dispatch
    }
}

/// An asynchronous command and its state machine.
///
/// Steps run one after another; the tasks of a step run together. The first
/// failed step fails the command and skips the rest, like Ambari's and Cloudera
/// Manager's stop-on-failure default, so that a broken dependency is never
/// followed by starting what depends on it.
public struct Command: Sendable, Codable, Hashable, Identifiable {
    public var id: Int64
    public let kind: CommandKind
    public let clusterId: Int
    /// The service the command was asked for (empty for a configuration save).
    public let target: String
    public let user: String
    /// Every service the command touches: the lock set against concurrent commands.
    public let services: [String]
    public var state: CommandState = .inProgress
    public var errorCode: ErrorCode = .success
    public var errorDescription: String = ""
    /// Stored, never decreasing, 100 exactly when COMPLETE.
    public var progress: Int = 0
    public var steps: [Step]
    public var createdAt: Millis
    public var endedAt: Millis? = nil
    /// A rolling restart's policy, while it runs: failed batches within its
    /// tolerance do not end it, and its pause holds the next batch back. Not
    /// stored (a command the store gives back has ended, or is failed on recovery).
    public var rolling: RollingRestartRun? = nil

    public init(id: Int64 = 0, kind: CommandKind, clusterId: Int, target: String, user: String,
                services: [String], steps: [Step], createdAt: Millis) {
        self.id = id
        self.kind = kind
        self.clusterId = clusterId
        self.target = target
        self.user = user
        self.services = services
        self.steps = steps
        self.createdAt = createdAt
    }

    public var totalStepSize: Int { steps.count }

    public var currentStepIndex: Int? { steps.firstIndex { !$0.state.isTerminal } }

    /// Begins the command (or moves past finished steps): starts the next step.
    public mutating func advance(now: Millis) -> CommandChange {
        var change = CommandChange()
        guard state == .inProgress else { return change }
        while let i = currentStepIndex {
            if steps[i].state == .pending {
                // A rolling restart's pause: the tick advances the command again when it has passed.
                if let due = nextStepDue(i), now < due { break }
                steps[i].state = .running
                steps[i].startedAt = now
                change.steps.insert(i)
                for t in steps[i].tasks.indices where steps[i].tasks[t].state == .pending {
                    steps[i].tasks[t].state = .running
                    steps[i].tasks[t].startedAt = now
                    change.tasks.insert(steps[i].tasks[t].id)
                    change.dispatch.append(steps[i].tasks[t])
                }
            }
            guard steps[i].tasks.allSatisfy({ $0.state.isTerminal }) else { break }
            let failed = steps[i].tasks.filter { $0.state == .failed }
            steps[i].state = failed.isEmpty ? .succeeded : .failed
            steps[i].endedAt = now
            change.steps.insert(i)
            if let rolling, !failed.isEmpty {
                let all = failedTasks
                guard RollingRestart.exceedsTolerance(failed: all.count, tolerance: rolling.policy.failureTolerance) else { continue }
                let skipped = steps.filter { $0.state == .pending }.count
                finish(.failed, code: .toleranceExceeded,
                       description: RollingRestart.toleranceExceeded(failed: all, tolerance: rolling.policy.failureTolerance,
                                                                     skippedBatches: skipped),
                       now: now, change: &change)
                return change
            }
            if let first = failed.first {
                finish(.failed, code: first.errorCode ?? .taskFailed,
                       description: Self.failureDescription(step: steps[i], failed: failed), now: now, change: &change)
                return change
            }
        }
        if currentStepIndex == nil {
            let description = rolling.map {
                RollingRestart.completion(failed: failedTasks, notRunning: $0.notRunning, tolerance: $0.policy.failureTolerance)
            } ?? ""
            finish(.complete, code: .success, description: description, now: now, change: &change)
        }
        recomputeProgress()
        return change
    }

    /// When step `i` may begin: after its predecessor's end plus a rolling restart's pause; nil if at once.
    func nextStepDue(_ i: Int) -> Millis? {
        guard let pause = rolling?.policy.pauseSeconds, pause > 0, i > 0, let ended = steps[i - 1].endedAt else { return nil }
        return RollingRestart.nextBatchDue(previousEnded: ended, pauseSeconds: pause)
    }

    /// A rolling restart waiting out its pause: the tick's cue to advance it.
    public var isPausing: Bool {
        guard state == .inProgress, let i = currentStepIndex, steps[i].state == .pending else { return false }
        return nextStepDue(i) != nil
    }

    /// Records a task's outcome; ignored (empty change) if the task is not running.
    public mutating func complete(taskID: Int64, outcome: TaskOutcome, now: Millis) -> CommandChange {
        guard state == .inProgress, let (s, t) = locate(taskID), steps[s].tasks[t].state == .running else {
            return CommandChange()
        }
        steps[s].tasks[t].state = outcome.succeeded ? .succeeded : .failed
        steps[s].tasks[t].errorCode = outcome.errorCode
        steps[s].tasks[t].detail = outcome.detail
        steps[s].tasks[t].exitCode = outcome.exitCode
        steps[s].tasks[t].outputTail = outcome.outputTail
        steps[s].tasks[t].endedAt = now
        var change = advance(now: now)
        change.tasks.insert(taskID)
        recomputeProgress()
        return change
    }

    /// Ends the command at once (manager restart, abort): running tasks fail, the rest is skipped.
    public mutating func fail(code: ErrorCode, description: String, now: Millis) -> CommandChange {
        var change = CommandChange()
        guard state == .inProgress else { return change }
        for s in steps.indices where !steps[s].state.isTerminal {
            for t in steps[s].tasks.indices where !steps[s].tasks[t].state.isTerminal {
                let wasRunning = steps[s].tasks[t].state == .running
                steps[s].tasks[t].state = wasRunning ? .failed : .skipped
                if wasRunning {
                    steps[s].tasks[t].errorCode = code
                    steps[s].tasks[t].detail = description
                }
                steps[s].tasks[t].endedAt = now
                change.tasks.insert(steps[s].tasks[t].id)
            }
            steps[s].state = steps[s].state == .running ? .failed : .skipped
            steps[s].endedAt = now
            change.steps.insert(s)
        }
        finish(.failed, code: code, description: description, now: now, change: &change)
        return change
    }

    /// Running tasks, for timeouts and lost hosts.
    public var runningTasks: [CommandTask] {
        steps.flatMap { $0.tasks.filter { $0.state == .running } }
    }

    public func task(id: Int64) -> CommandTask? {
        locate(id).map { steps[$0.0].tasks[$0.1] }
    }

    /// Every failed task, in step order: the source of `fail_entity_list`.
    public var failedTasks: [CommandTask] {
        steps.flatMap { $0.tasks.filter { $0.state == .failed } }
    }

    private func locate(_ taskID: Int64) -> (Int, Int)? {
        for s in steps.indices {
            if let t = steps[s].tasks.firstIndex(where: { $0.id == taskID }) { return (s, t) }
        }
        return nil
    }

    private mutating func finish(_ end: CommandState, code: ErrorCode, description: String, now: Millis, change: inout CommandChange) {
        for s in steps.indices where steps[s].state == .pending {
            steps[s].state = .skipped
            for t in steps[s].tasks.indices { steps[s].tasks[t].state = .skipped; change.tasks.insert(steps[s].tasks[t].id) }
            change.steps.insert(s)
        }
        state = end
        errorCode = code
        errorDescription = description
        endedAt = now
        recomputeProgress()
    }

    /// Progress is the mean of the steps' done fractions, held below 100 until
    /// COMPLETE and never lowered (a stored value is the floor).
    public mutating func recomputeProgress() {
        if state == .complete { progress = 100; return }
        let fraction = steps.isEmpty ? 0 : steps.reduce(0.0) { $0 + $1.fractionDone } / Double(steps.count)
        let computed = min(99, Int((fraction * 100).rounded(.down)))
        progress = max(progress, computed)
    }

    static func failureDescription(step: Step, failed: [CommandTask]) -> String {
        let names = failed.map { task in
            task.detail.isEmpty ? "\(task.instance)" : "\(task.instance) (\(task.detail))"
        }
        let verb = (failed.first?.operation ?? .start).verb.lowercased()
        return "Step '\(step.name)' failed: \(failed.count) of \(step.tasks.count) instance(s) failed to \(verb): "
            + Planner.listing(names, noun: "instances", separator: "; ")
    }
}

extension Command {
    /// How far the command has come: every transition raises it and none
    /// lowers it, as states only move forward. Two copies of one command
    /// (read from the store at different moments) are ordered by it.
    public var stage: Int {
        func rank(_ s: ExecutionState) -> Int { s == .pending ? 0 : s == .running ? 1 : 2 }
        let steps = steps.reduce(0) { sum, step in sum + rank(step.state) + step.tasks.reduce(0) { $0 + rank($1.state) } }
        return steps + (state.isTerminal ? 1 : 0)
    }
}
