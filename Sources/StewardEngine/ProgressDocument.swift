import StewardAPI

/// The progress document of a command, as the wire shows it.
extension ProgressDocument {
    /// The document of a command with at most `taskLimit` tasks listed per
    /// step (nil: every task, as a dry run's plan shows them).
    public init(_ command: Command, taskLimit: Int? = nil) {
        let steps = command.steps.map { step in
            StepEntry(
                name: step.name, description: step.description, state: step.state,
                progress: step.state == .succeeded ? 100 : min(99, Int((step.fractionDone * 100).rounded(.down))),
                startTime: step.startedAt, endTime: step.endedAt, taskCount: step.tasks.count,
                taskStates: step.taskStates, tasks: step.tasksToLookAt(limit: taskLimit).map(TaskEntry.init))
        }
        self.init(clusterId: command.clusterId, stepList: steps,
                  failEntityList: command.kind.reportsFailedEntities ? Self.uniqueFailures(command.failedTasks) : [],
                  totalStepSize: command.totalStepSize, commandKind: command.kind, serviceName: command.target,
                  user: command.user, createTime: command.createdAt, endTime: command.endedAt)
    }

    /// One entry per failed (instance, operation), in the order they failed in the plan.
    static func uniqueFailures(_ tasks: [CommandTask]) -> [FailEntity] {
        var seen: Set<String> = []
        var out: [FailEntity] = []
        for task in tasks {
            let key = "\(task.instance)|\(task.operation.rawValue)"
            if seen.insert(key).inserted {
                out.append(FailEntity(failEntity: task.instance.description, operationType: task.operation))
            }
        }
        return out
    }
}

extension ProgressDocument.TaskEntry {
    /// A task as the wire shows it; its output tail only if it failed.
    public init(_ task: CommandTask) {
        self.init(id: task.id, instance: task.instance.description, service: task.instance.service,
                  role: task.instance.role, host: task.instance.host, operation: task.operation,
                  state: task.state, errorCode: task.errorCode?.rawValue, detail: task.detail,
                  exitCode: task.exitCode, outputTail: task.state == .failed ? task.outputTail : nil,
                  startTime: task.startedAt, endTime: task.endedAt)
    }
}

extension Step {
    /// How many tasks are in each state.
    public var taskStates: ProgressDocument.TaskStateCounts {
        var counts = ProgressDocument.TaskStateCounts()
        for task in tasks { counts[task.state] += 1 }
        return counts
    }

    /// At most `limit` tasks (nil: all), chosen as an operator looks at them:
    /// failed first, then running, then the rest, each in id order; listed
    /// in id order, as a step's tasks always were (a small step shows as before).
    /// One pass when the tasks are in id order, as the store gives them ids.
    public func tasksToLookAt(limit: Int?) -> [CommandTask] {
        let ordered = Self.byID(tasks)
        guard let limit, limit < tasks.count else { return ordered }
        guard limit > 0 else { return [] }
        var failed: [CommandTask] = [], running: [CommandTask] = [], rest: [CommandTask] = []
        // A class stops filling once the classes before it and it fill the limit: those before only grow.
        for task in ordered {
            switch task.state {
            case .failed: if failed.count < limit { failed.append(task) }
            case .running: if failed.count + running.count < limit { running.append(task) }
            case .pending, .succeeded, .skipped: if failed.count + running.count + rest.count < limit { rest.append(task) }
            }
        }
        return (failed + running + rest).prefix(limit).sorted { $0.id < $1.id }
    }

    /// The tasks in id order: as given, when they are (the store numbers them in plan order).
    private static func byID(_ tasks: [CommandTask]) -> [CommandTask] {
        zip(tasks, tasks.dropFirst()).allSatisfy { $0.id < $1.id } ? tasks : tasks.sorted { $0.id < $1.id }
    }

    /// One page of the tasks in id order, of one state or all: (how many match, the page).
    public func taskPage(state: ExecutionState?, offset: Int, limit: Int) -> (total: Int, tasks: [CommandTask]) {
        let matching = Self.byID(state.map { state in tasks.filter { $0.state == state } } ?? tasks)
        guard offset < matching.count else { return (matching.count, []) }
        return (matching.count, Array(matching[offset..<min(matching.count, offset + limit)]))
    }
}

extension Envelope where Result == ProgressDocument {
    /// The progress response of a command, with at most `taskLimit` tasks per step (nil: all).
    public init(progressOf command: Command, taskLimit: Int? = ProgressDocument.defaultTaskLimit) {
        self.init(id: command.id, state: command.state, errorCode: command.errorCode.rawValue,
                  errorDescription: command.errorDescription, totalProgress: command.progress,
                  resObj: ProgressDocument(command, taskLimit: taskLimit))
    }
}
