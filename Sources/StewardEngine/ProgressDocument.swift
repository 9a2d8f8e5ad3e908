/// `res_obj` of `GET /web/v1/common/command/{command_id}/progress`.
///
/// The reference fields (`cluster_id`, `step_list` of `{name, description}`,
/// `fail_entity_list`, `total_step_size`) plus additive ones: the command's kind,
/// service, user and times, and each step's state, progress and tasks.
public struct ProgressDocument: Codable, Sendable, Hashable {
    public var clusterId: Int
    public var stepList: [StepEntry]
    public var failEntityList: [FailEntity]
    public var totalStepSize: Int
    public var commandKind: String
    public var serviceName: String
    public var user: String
    public var createTime: Millis
    public var endTime: Millis?

    enum CodingKeys: String, CodingKey {
        case clusterId = "cluster_id"
        case stepList = "step_list"
        case failEntityList = "fail_entity_list"
        case totalStepSize = "total_step_size"
        case commandKind = "command_kind"
        case serviceName = "service_name"
        case user
        case createTime = "create_time"
        case endTime = "end_time"
    }

    public struct StepEntry: Codable, Sendable, Hashable {
        public var name: String
        public var description: String
        public var state: String
        public var progress: Int
        public var startTime: Millis?
        public var endTime: Millis?
        public var tasks: [TaskEntry]

        enum CodingKeys: String, CodingKey {
            case name, description, state, progress, tasks
            case startTime = "start_time"
            case endTime = "end_time"
        }
    }

    public struct TaskEntry: Codable, Sendable, Hashable {
        public var id: Int64
        public var instance: String
        public var service: String
        public var role: String
        public var host: String
        public var operation: String
        public var state: String
        public var errorCode: Int?
        public var detail: String
        public var exitCode: Int32?
        public var outputTail: String?
        public var startTime: Millis?
        public var endTime: Millis?

        enum CodingKeys: String, CodingKey {
            case id, instance, service, role, host, operation, state, detail
            case errorCode = "error_code"
            case exitCode = "exit_code"
            case outputTail = "output_tail"
            case startTime = "start_time"
            case endTime = "end_time"
        }
    }

    public struct FailEntity: Codable, Sendable, Hashable {
        public var failEntity: String
        public var operationType: String

        enum CodingKeys: String, CodingKey {
            case failEntity = "fail_entity"
            case operationType = "operation_type"
        }

        public init(failEntity: String, operationType: String) {
            self.failEntity = failEntity
            self.operationType = operationType
        }
    }

    public init(_ command: Command) {
        clusterId = command.clusterId
        totalStepSize = command.totalStepSize
        commandKind = command.kind.rawValue
        serviceName = command.target
        user = command.user
        createTime = command.createdAt
        endTime = command.endedAt
        stepList = command.steps.map { step in
            StepEntry(
                name: step.name, description: step.description, state: step.state.rawValue,
                progress: step.state == .succeeded ? 100 : min(99, Int((step.fractionDone * 100).rounded(.down))),
                startTime: step.startedAt, endTime: step.endedAt,
                tasks: step.tasks.map { task in
                    TaskEntry(
                        id: task.id, instance: task.instance.description, service: task.instance.service,
                        role: task.instance.role, host: task.instance.host, operation: task.operation.rawValue,
                        state: task.state.rawValue, errorCode: task.errorCode?.rawValue, detail: task.detail,
                        exitCode: task.exitCode, outputTail: task.state == .failed ? task.outputTail : nil,
                        startTime: task.startedAt, endTime: task.endedAt)
                })
        }
        failEntityList = command.kind.reportsFailedEntities
            ? Self.uniqueFailures(command.failedTasks)
            : []
    }

    /// One entry per failed (instance, operation), in the order they failed in the plan.
    static func uniqueFailures(_ tasks: [Task]) -> [FailEntity] {
        var seen: Set<String> = []
        var out: [FailEntity] = []
        for task in tasks {
            let key = "\(task.instance)|\(task.operation.rawValue)"
            if seen.insert(key).inserted {
                out.append(FailEntity(failEntity: task.instance.description, operationType: task.operation.rawValue))
            }
        }
        return out
    }
}

extension Envelope where Result == ProgressDocument {
    /// The whole progress response of a command.
    public init(progressOf command: Command) {
        self.init(id: command.id, state: command.state.rawValue, errorCode: command.errorCode.rawValue,
                  errorDescription: command.errorDescription, totalProgress: command.progress,
                  resObj: ProgressDocument(command))
    }
}
