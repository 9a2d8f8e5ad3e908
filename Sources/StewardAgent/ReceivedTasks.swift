import StewardAPI

/// What the agent's polls have delivered. Delivery is at-least-once: each
/// poll acknowledges the tasks the previous answer held, and a task whose
/// acknowledgement was lost comes again; it is acknowledged again but runs
/// only once. The ids remembered are bounded: the oldest are forgotten first.
struct ReceivedTasks {
    /// To send with the next poll: every task of the last answer, repeats included.
    private(set) var acknowledgements: [Int64] = []
    private var seen: Set<Int64> = []
    private var order: [Int64] = []
    private let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// Takes a poll's answer; returns the tasks not received before, in order.
    mutating func accept(_ tasks: [AgentTask]) -> [AgentTask] {
        acknowledgements = tasks.map(\.taskId)
        return tasks.filter { remember($0.taskId) }
    }

    /// A new connection (perhaps to a restarted manager) starts acknowledging
    /// afresh; the tasks already run stay remembered.
    mutating func reconnected() {
        acknowledgements = []
    }

    /// True if the id is new.
    private mutating func remember(_ id: Int64) -> Bool {
        guard seen.insert(id).inserted else { return false }
        order.append(id)
        if order.count > capacity {
            seen.remove(order.removeFirst())
        }
        return true
    }
}
