import StewardAPI
import StewardEngine

/// The connected agents: one mailbox per host, answered by a waiting long poll
/// the moment work arrives, and each host's heartbeat clock. What agents say
/// comes in here only (`AgentHub+Intake`): instance reports and metrics are
/// recorded, and what matters to commands goes on to the command center as
/// `AgentEvent`s.
actor AgentHub: AgentDispatch {
    struct Link {
        var queue: [AgentTask] = []
        /// Handed out in the last answer and not yet acknowledged.
        var unacknowledged: [AgentTask] = []
        var aborts: [Int64] = []
        var waiter: (token: UInt64, continuation: CheckedContinuation<AgentWork, Never>)?
        var lastSeen: Millis?
        var agentVersion: String?
        var lost = true
        var incarnation: String?
        /// Tasks the agent process acknowledged and has not settled by a result.
        var delivered: Set<Int64> = []
        /// Counts `disconnect`s: a poll authenticated before one must not start waiting after it.
        var disconnects: UInt64 = 0
        /// The agent is connected to another manager (`AgentHub+Peers`): not lost, but reached through the store.
        var elsewhere = false
    }

    var links: [String: Link] = [:]
    /// The host each task was sent to, until its result: an agent may report
    /// only on its own host's tasks.
    private var taskHosts: [Int64: String] = [:]
    private var nextToken: UInt64 = 0
    private var closed = false
    let heartbeatTimeoutMs: Int
    let cluster: ClusterState
    let metrics: MetricsHistory
    let clock: any TimeSource
    /// Set once at start-up: the center is built after the hub, from it.
    var center: (any AgentEventSink)?
    /// Sees every instance report, for `restart_on_failure`.
    var restarts: FailureRestarts?
    /// The other managers on the database, when there are any (`AgentHub+Peers`).
    var peers: (any PeerLink)?

    init(hosts: [String], heartbeatTimeoutMs: Int, cluster: ClusterState, metrics: MetricsHistory, clock: any TimeSource) {
        self.heartbeatTimeoutMs = heartbeatTimeoutMs
        self.cluster = cluster
        self.metrics = metrics
        self.clock = clock
        for h in hosts { links[h] = Link() }
    }

    func connect(_ center: any AgentEventSink, restarts: FailureRestarts? = nil) {
        self.center = center
        self.restarts = restarts
    }

    func knows(_ host: String) -> Bool { links[host] != nil }

    /// A host joined the cluster: its agent may now be heard and sent tasks.
    func add(host: String) {
        if links[host] == nil { links[host] = Link() }
    }

    /// A host was forgotten: its poll is answered, and nothing more is heard from it.
    func remove(host: String) {
        disconnect(host)
        links[host] = nil
        taskHosts = taskHosts.filter { $0.value != host }
    }

    /// A sign of life: registration, heartbeat, poll or result.
    func seen(_ host: String, version: String? = nil) {
        links[host]?.lastSeen = clock.now()
        links[host]?.lost = false
        links[host]?.elsewhere = false
        if let version { links[host]?.agentVersion = version }
    }

    /// Lost: its agent is connected to no manager (a lost one here may be connected to another).
    func isLost(_ host: String) -> Bool { links[host].map { $0.lost && !$0.elsewhere } ?? true }

    func lostHosts() -> Set<String> { Set(links.filter { $0.value.lost && !$0.value.elsewhere }.keys) }

    /// Records the agent process of a registration. When it is a new process
    /// on the host, returns the tasks the previous one acknowledged and did not
    /// settle: that process is gone, so the caller fails them. Tasks handed out
    /// but never acknowledged (perhaps to a poll of a process already dead) are
    /// delivered again, to the new process, like any unacknowledged task; a poll
    /// the old one left waiting is answered empty.
    func register(_ host: String, incarnation: String?) -> Set<Int64> {
        guard var link = links[host], let incarnation else { return [] }
        let previous = link.incarnation
        link.incarnation = incarnation
        guard let previous, previous != incarnation else {
            links[host] = link
            return []
        }
        let lost = link.delivered
        // That process will never report on them: nothing left to check a result against.
        for task in lost { taskHosts[task] = nil }
        link.delivered = []
        link.queue = link.unacknowledged + link.queue
        link.unacknowledged = []
        link.aborts = []
        let waiter = link.waiter
        link.waiter = nil
        links[host] = link
        waiter?.continuation.resume(returning: AgentWork(tasks: []))
        return lost
    }

    /// A task's result arrived (or it ended otherwise): no longer in the agent's hands.
    func settled(_ taskId: Int64, host: String) {
        links[host]?.delivered.remove(taskId)
        if taskHosts[taskId] == host { taskHosts[taskId] = nil }
    }

    /// The host a task was sent to, while it is outstanding.
    func host(ofTask taskId: Int64) -> String? { taskHosts[taskId] }

    /// Answers the host's waiting poll at once (its credential was revoked:
    /// the poll's handler refuses it rather than wait out the timeout).
    func disconnect(_ host: String) {
        links[host]?.disconnects += 1
        guard let waiter = links[host]?.waiter else { return }
        links[host]?.waiter = nil
        waiter.continuation.resume(returning: AgentWork(tasks: []))
    }

    func disconnects(of host: String) -> UInt64 { links[host]?.disconnects ?? 0 }

    func status(of host: String) -> (lost: Bool, lastSeen: Millis?, version: String?) {
        let link = links[host]
        return (link.map { $0.lost && !$0.elsewhere } ?? true, link?.lastSeen, link?.agentVersion)
    }

    /// Marks the hosts whose heartbeat is overdue as lost, and tells the center.
    func checkHeartbeats() async {
        let now = clock.now()
        var lost: [String] = []
        for (host, link) in links where !link.lost {
            if let seen = link.lastSeen, now - seen > Millis(heartbeatTimeoutMs) {
                links[host]?.lost = true
                lost.append(host)
            }
        }
        for host in lost.sorted() {
            await peers?.departed(host)
            try? await center?.receive(.hostLost(host))
        }
    }

    func enqueue(_ tasks: [AgentTask], for host: String) async {
        guard !tasks.isEmpty, var link = links[host] else { return }
        if link.elsewhere, let peers {
            // Through the store, to the manager its agent is connected to.
            await peers.post(tasks, host: host)
            return
        }
        for task in tasks { taskHosts[task.taskId] = host }
        if let waiter = link.waiter {
            link.waiter = nil
            link.unacknowledged += tasks
            links[host] = link
            waiter.continuation.resume(returning: AgentWork(tasks: tasks))
        } else {
            link.queue.append(contentsOf: tasks)
            links[host] = link
        }
    }

    /// Waits up to `timeoutMs` for work. A newer poll from the same host answers
    /// the older one empty (the agent has given up on it). With `disconnects`
    /// (read before the poll was authenticated), a disconnect since then
    /// answers it at once instead of waiting.
    func poll(host: String, received: [Int64], timeoutMs: Int, disconnects: UInt64? = nil) async -> AgentWork {
        guard !closed, var link = links[host] else { return AgentWork(tasks: []) }
        let acknowledged = Set(received)
        link.delivered.formUnion(link.unacknowledged.lazy.map(\.taskId).filter { acknowledged.contains($0) })
        link.queue = link.unacknowledged.filter { !acknowledged.contains($0.taskId) } + link.queue
        link.unacknowledged = []
        if !link.queue.isEmpty || !link.aborts.isEmpty {
            let work = AgentWork(tasks: link.queue, abort: link.aborts)
            link.queue = []
            link.aborts = []
            link.unacknowledged = work.tasks
            links[host] = link
            return work
        }
        // Stored before waiting: the acknowledgements above must not be lost
        // (an acknowledged task would be handed out again with the next answer).
        if let disconnects, disconnects != link.disconnects {
            links[host] = link
            return AgentWork(tasks: [])
        }
        let old = link.waiter
        link.waiter = nil
        links[host] = link
        old?.continuation.resume(returning: AgentWork(tasks: []))
        nextToken += 1
        let token = nextToken
        return await withCheckedContinuation { continuation in
            links[host]?.waiter = (token, continuation)
            Task {
                try? await Task.sleep(for: .milliseconds(timeoutMs))
                self.expire(host: host, token: token)
            }
        }
    }

    /// On shutdown: answers every waiting poll empty and holds no new ones.
    func close() {
        closed = true
        for host in links.keys {
            if let waiter = links[host]?.waiter {
                links[host]?.waiter = nil
                waiter.continuation.resume(returning: AgentWork(tasks: []))
            }
        }
    }

    /// Tells a host's agent to abort tasks: at once if it is polling, else with its next poll.
    func abort(_ taskIDs: [Int64], on host: String) {
        guard !taskIDs.isEmpty, var link = links[host] else { return }
        // Kept in taskHosts: the agent may still report on an aborted task.
        link.queue.removeAll { taskIDs.contains($0.taskId) }
        if let waiter = link.waiter {
            link.waiter = nil
            links[host] = link
            waiter.continuation.resume(returning: AgentWork(tasks: [], abort: taskIDs))
        } else {
            link.aborts += taskIDs
            links[host] = link
        }
    }

    private func expire(host: String, token: UInt64) {
        guard let waiter = links[host]?.waiter, waiter.token == token else { return }
        links[host]?.waiter = nil
        waiter.continuation.resume(returning: AgentWork(tasks: []))
    }
}
