/// `res_obj` shapes of the command endpoints, besides the progress document.

/// A command in the history list.
public struct CommandSummary: Sendable, Codable, Hashable {
    public var id: Int64
    public var kind: CommandKind
    public var target: String
    public var services: [String]
    public var user: String
    public var state: CommandState
    public var errorCode: Int
    public var errorDescription: String
    public var totalProgress: Int
    public var totalStepSize: Int
    public var createTime: Millis
    public var endTime: Millis?

    enum CodingKeys: String, CodingKey {
        case id, kind, target, services, user, state
        case errorCode = "error_code"
        case errorDescription = "error_description"
        case totalProgress = "total_progress"
        case totalStepSize = "total_step_size"
        case createTime = "create_time"
        case endTime = "end_time"
    }

    public init(id: Int64, kind: CommandKind, target: String, services: [String], user: String, state: CommandState,
                errorCode: Int, errorDescription: String, totalProgress: Int, totalStepSize: Int, createTime: Millis,
                endTime: Millis?) {
        self.id = id
        self.kind = kind
        self.target = target
        self.services = services
        self.user = user
        self.state = state
        self.errorCode = errorCode
        self.errorDescription = errorDescription
        self.totalProgress = totalProgress
        self.totalStepSize = totalStepSize
        self.createTime = createTime
        self.endTime = endTime
    }
}

/// `GET /web/v1/common/commands`: a page of the history, newest first.
public struct CommandList: Codable, Sendable {
    public let total: Int
    public let commands: [CommandSummary]
    public init(total: Int, commands: [CommandSummary]) {
        self.total = total
        self.commands = commands
    }
}

/// `GET /web/v1/common/command/{command_id}/tasks/{task_id}/output`.
public struct TaskOutputView: Codable, Sendable {
    public var taskId: Int64
    public var commandId: Int64
    public var instance: String
    public var operation: Operation
    public var state: ExecutionState
    public var exitCode: Int32?
    public var detail: String
    public var output: String
    public var startTime: Millis?
    public var endTime: Millis?

    enum CodingKeys: String, CodingKey {
        case instance, operation, state, detail, output
        case taskId = "task_id"
        case commandId = "command_id"
        case exitCode = "exit_code"
        case startTime = "start_time"
        case endTime = "end_time"
    }

    public init(taskId: Int64, commandId: Int64, instance: String, operation: Operation, state: ExecutionState, exitCode: Int32?,
                detail: String, output: String, startTime: Millis?, endTime: Millis?) {
        self.taskId = taskId
        self.commandId = commandId
        self.instance = instance
        self.operation = operation
        self.state = state
        self.exitCode = exitCode
        self.detail = detail
        self.output = output
        self.startTime = startTime
        self.endTime = endTime
    }
}
