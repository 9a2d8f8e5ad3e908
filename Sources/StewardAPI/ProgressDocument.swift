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
    public var commandKind: CommandKind
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

    public init(clusterId: Int, stepList: [StepEntry], failEntityList: [FailEntity], totalStepSize: Int,
                commandKind: CommandKind, serviceName: String, user: String, createTime: Millis, endTime: Millis?) {
        self.clusterId = clusterId
        self.stepList = stepList
        self.failEntityList = failEntityList
        self.totalStepSize = totalStepSize
        self.commandKind = commandKind
        self.serviceName = serviceName
        self.user = user
        self.createTime = createTime
        self.endTime = endTime
    }

    public struct StepEntry: Codable, Sendable, Hashable {
        public var name: String
        public var description: String
        public var state: ExecutionState
        public var progress: Int
        public var startTime: Millis?
        public var endTime: Millis?
        public var tasks: [TaskEntry]

        enum CodingKeys: String, CodingKey {
            case name, description, state, progress, tasks
            case startTime = "start_time"
            case endTime = "end_time"
        }

        public init(name: String, description: String, state: ExecutionState, progress: Int, startTime: Millis?,
                    endTime: Millis?, tasks: [TaskEntry]) {
            self.name = name
            self.description = description
            self.state = state
            self.progress = progress
            self.startTime = startTime
            self.endTime = endTime
            self.tasks = tasks
        }
    }

    public struct TaskEntry: Codable, Sendable, Hashable {
        public var id: Int64
        public var instance: String
        public var service: String
        public var role: String
        public var host: String
        public var operation: Operation
        public var state: ExecutionState
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

        public init(id: Int64, instance: String, service: String, role: String, host: String, operation: Operation,
                    state: ExecutionState, errorCode: Int?, detail: String, exitCode: Int32?, outputTail: String?,
                    startTime: Millis?, endTime: Millis?) {
            self.id = id
            self.instance = instance
            self.service = service
            self.role = role
            self.host = host
            self.operation = operation
            self.state = state
            self.errorCode = errorCode
            self.detail = detail
            self.exitCode = exitCode
            self.outputTail = outputTail
            self.startTime = startTime
            self.endTime = endTime
        }
    }

    public struct FailEntity: Codable, Sendable, Hashable {
        public var failEntity: String
        public var operationType: Operation

        enum CodingKeys: String, CodingKey {
            case failEntity = "fail_entity"
            case operationType = "operation_type"
        }

        public init(failEntity: String, operationType: Operation) {
            self.failEntity = failEntity
            self.operationType = operationType
        }
    }
}
