/// `res_obj` of `GET /web/v1/common/command/{command_id}/progress`.
///
/// The reference fields (`cluster_id`, `step_list` of `{name, description}`,
/// `fail_entity_list`, `total_step_size`) plus additive ones: the command's kind,
/// service, user and times, and each step's state, progress, task counts and
/// a bounded choice of its tasks (the rest are paged by `StepTaskPage`).
public struct ProgressDocument: Codable, Sendable, Hashable {
    /// Tasks listed per step when the client does not ask (`task_limit`): a
    /// 10,000-task command's document stays a few kilobytes, so that watching
    /// it costs about what watching a small one does.
    public static let defaultTaskLimit = 20
    /// The most a client may ask for per step; more is paged.
    public static let maxTaskLimit = 500

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
        /// Every task of the step, listed or not.
        public var taskCount: Int
        /// How many of them are in each state: enough to draw the step without its tasks.
        public var taskStates: TaskStateCounts
        /// A bounded choice, in id order: failed first, then running, then the rest (each by id).
        public var tasks: [TaskEntry]
        /// `taskCount - tasks.count`: the tasks left out, to page with `/steps/{index}/tasks`.
        public var tasksOmitted: Int

        enum CodingKeys: String, CodingKey {
            case name, description, state, progress, tasks
            case startTime = "start_time"
            case endTime = "end_time"
            case taskCount = "task_count"
            case taskStates = "task_states"
            case tasksOmitted = "tasks_omitted"
        }

        public init(name: String, description: String, state: ExecutionState, progress: Int, startTime: Millis?,
                    endTime: Millis?, taskCount: Int, taskStates: TaskStateCounts, tasks: [TaskEntry]) {
            self.name = name
            self.description = description
            self.state = state
            self.progress = progress
            self.startTime = startTime
            self.endTime = endTime
            self.taskCount = taskCount
            self.taskStates = taskStates
            self.tasks = tasks
            self.tasksOmitted = taskCount - tasks.count
        }
    }

    /// A step's tasks counted by state; every state is always present, 0 or more.
    public struct TaskStateCounts: Codable, Sendable, Hashable {
        public var pending = 0
        public var running = 0
        public var succeeded = 0
        public var failed = 0
        public var skipped = 0

        // The keys are ExecutionState's raw values, as a task's `state` spells them.
        enum CodingKeys: String, CodingKey {
            case pending = "PENDING"
            case running = "RUNNING"
            case succeeded = "SUCCEEDED"
            case failed = "FAILED"
            case skipped = "SKIPPED"
        }

        public init() {}

        public subscript(state: ExecutionState) -> Int {
            get {
                switch state {
                case .pending: pending
                case .running: running
                case .succeeded: succeeded
                case .failed: failed
                case .skipped: skipped
                }
            }
            set {
                switch state {
                case .pending: pending = newValue
                case .running: running = newValue
                case .succeeded: succeeded = newValue
                case .failed: failed = newValue
                case .skipped: skipped = newValue
                }
            }
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

/// `res_obj` of `GET /web/v1/common/command/{command_id}/steps/{step_index}/tasks`:
/// one page of a step's tasks in id order, optionally of one state.
public struct StepTaskPage: Codable, Sendable, Hashable {
    public static let defaultLimit = 100
    public static let maxLimit = 500

    /// The step's tasks that match the filter, on this page or not.
    public var total: Int
    public var tasks: [ProgressDocument.TaskEntry]

    public init(total: Int, tasks: [ProgressDocument.TaskEntry]) {
        self.total = total
        self.tasks = tasks
    }
}
