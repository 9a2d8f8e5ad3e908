import StewardAPI

/// The progress document of a command, as the wire shows it.
extension ProgressDocument {
    public init(_ command: Command) {
        let steps = command.steps.map { step in
            StepEntry(
                name: step.name, description: step.description, state: step.state,
                progress: step.state == .succeeded ? 100 : min(99, Int((step.fractionDone * 100).rounded(.down))),
                startTime: step.startedAt, endTime: step.endedAt,
                tasks: step.tasks.map { task in
                    TaskEntry(
                        id: task.id, instance: task.instance.description, service: task.instance.service,
                        role: task.instance.role, host: task.instance.host, operation: task.operation,
                        state: task.state, errorCode: task.errorCode?.rawValue, detail: task.detail,
                        exitCode: task.exitCode, outputTail: task.state == .failed ? task.outputTail : nil,
                        startTime: task.startedAt, endTime: task.endedAt)
                })
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

extension Envelope where Result == ProgressDocument {
    /// The whole progress response of a command.
    public init(progressOf command: Command) {
        self.init(id: command.id, state: command.state, errorCode: command.errorCode.rawValue,
                  errorDescription: command.errorDescription, totalProgress: command.progress,
                  resObj: ProgressDocument(command))
    }
}
