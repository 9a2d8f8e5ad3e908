import StewardAPI
import StewardEngine

/// Reads of a task's output: no transition, so apart from the center's rules.
extension CommandCenter {
    /// A task's output: live while it runs, as stored once it has ended.
    func output(command id: Int64, task taskID: Int64) async throws -> TaskOutputView {
        let command: Command
        if let running = active[id] {
            command = running
        } else if let stored = try await store.command(id: id) {
            command = stored
        } else {
            throw StewardError(.commandNotFound, "Command \(id) does not exist.")
        }
        guard let task = command.task(id: taskID) else {
            throw StewardError(.taskNotFound, "Command \(id) has no task \(taskID).")
        }
        let output = task.state == .running ? (liveOutput[taskID] ?? "") : task.outputTail
        return TaskOutputView(taskId: task.id, commandId: id, instance: task.instance.description, operation: task.operation,
                              state: task.state, exitCode: task.exitCode, detail: task.detail, output: output,
                              startTime: task.startedAt, endTime: task.endedAt)
    }
}
