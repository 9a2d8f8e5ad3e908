import Foundation
import Logging
import StewardAPI
import Synchronization

/// The tasks this agent has received, by id, with their outcome, kept in its
/// data directory (`TaskJournal`) so that neither a manager's takeover nor
/// the agent's own restart runs a task twice. Delivery is at-least-once: a
/// task comes again when its acknowledgement was lost, when another manager
/// takes its command over, or when a restarted manager resumes it. A task
/// that comes again is never run again: if it ended, its result is sent
/// again (the new driver needs it); if it runs, its result follows when it ends.
///
/// The ledger also holds the results no manager has accepted yet, in the
/// order the tasks ended, until one does: a manager that dies between a
/// task's end and the result's post loses nothing.
///
/// Bounded: past `capacity` ids the oldest settled ones are forgotten (a
/// running task or an unsent result never is).
final class TaskLedger: Sendable {
    enum Entry {
        case running
        /// Running when a previous agent process ended: how it ended is unknown.
        case interrupted
        /// `seq` orders the results to send; `accepted` once a manager took it.
        case ended(AgentTaskResult, accepted: Bool, seq: Int)
    }

    /// What a delivered task calls for.
    enum Arrival: Equatable {
        /// New: run it (the ledger has marked it running).
        case run
        /// Running already: acknowledge it, its result will follow.
        case running
        /// Ended: its result is sent again.
        case ended
        /// A previous agent process was running it when it ended: not run again, answered as failed.
        case interrupted
    }

    private struct State {
        var entries: [Int64: Entry] = [:]
        /// Ids by first arrival, oldest first: the order they are forgotten in.
        var order: [Int64] = []
        var nextSeq = 0
        var journal: TaskJournal?
        var journalFailed = false
    }

    let capacity: Int
    private let logger: Logger
    private let state: Mutex<State>

    /// `path` nil keeps the ledger in memory only.
    init(path: String?, capacity: Int = 4096, logger: Logger) {
        self.capacity = capacity
        self.logger = logger
        var state = State()
        if let path {
            let (lines, skipped) = TaskJournal.read(path)
            Self.replay(lines, into: &state)
            if skipped > 0 { logger.warning("task journal: lines skipped (cut short by a crash?)", metadata: ["skipped": "\(skipped)"]) }
            // A task running in the previous process did not end in this one: it will never report.
            for (id, entry) in state.entries { if case .running = entry { state.entries[id] = .interrupted } }
            Self.trim(&state, capacity: capacity)
            var journal = TaskJournal(path: path)
            do {
                // The data directory of a host's first start: 0700, as the credential's.
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                try journal.rewrite(Self.snapshot(state))
            } catch {
                logger.error("cannot write the task journal; tasks are kept in memory only", metadata: ["error": "\(error)"])
                state.journalFailed = true
            }
            state.journal = journal
            if !state.entries.isEmpty {
                logger.info("kept tasks loaded", metadata: [
                    "tasks": "\(state.entries.count)", "unsent": "\(Self.unsent(state).count)",
                    "interrupted": "\(state.entries.values.filter { if case .interrupted = $0 { true } else { false } }.count)",
                ])
            }
        }
        self.state = Mutex(state)
    }

    /// A poll delivered `task`: says what to do. A new task is marked running
    /// (on disk first) before it is returned as `.run`.
    func receive(_ task: AgentTask) -> Arrival {
        state.withLock { state in
            switch state.entries[task.taskId] {
            case .running: return .running
            case .interrupted: return .interrupted
            case .ended(let result, _, _):
                let seq = state.nextSeq
                state.nextSeq += 1
                state.entries[task.taskId] = .ended(result, accepted: false, seq: seq)
                write(.init(id: task.taskId, state: .resend, seq: seq), &state)
                return .ended
            case nil:
                state.entries[task.taskId] = .running
                state.order.append(task.taskId)
                write(.init(id: task.taskId, state: .running), &state)
                forgetOldest(&state)
                return .run
            }
        }
    }

    /// A task ended: its result waits for a manager to accept it.
    func finish(_ result: AgentTaskResult) {
        state.withLock { state in
            let seq = state.nextSeq
            state.nextSeq += 1
            if state.entries[result.taskId] == nil { state.order.append(result.taskId) }
            state.entries[result.taskId] = .ended(result, accepted: false, seq: seq)
            write(.init(id: result.taskId, state: .ended, result: result, accepted: false, seq: seq), &state)
            forgetOldest(&state)
        }
    }

    /// A manager accepted the result sent as `seq` (or refused it for good).
    /// A result asked for again meanwhile has a newer `seq` and stays to send.
    func accepted(_ taskId: Int64, seq: Int) {
        state.withLock { state in
            guard case .ended(let result, false, seq)? = state.entries[taskId] else { return }
            state.entries[taskId] = .ended(result, accepted: true, seq: seq)
            write(.init(id: taskId, state: .accepted), &state)
        }
    }

    /// The results to send, in the order the tasks ended (or were asked for again).
    func unsent() -> [(result: AgentTaskResult, seq: Int)] {
        state.withLock { Self.unsent($0) }
    }

    func entry(_ taskId: Int64) -> Entry? {
        state.withLock { $0.entries[taskId] }
    }

    var count: Int { state.withLock { $0.entries.count } }

    // MARK: keeping

    private static func unsent(_ state: State) -> [(result: AgentTaskResult, seq: Int)] {
        state.entries.values.compactMap { entry -> (AgentTaskResult, Int)? in
            guard case .ended(let result, false, let seq) = entry else { return nil }
            return (result, seq)
        }.sorted { $0.1 < $1.1 }
    }

    /// Appends a line; rewrites the file whole once it holds far more lines than entries.
    private func write(_ line: TaskJournal.Line, _ state: inout State) {
        guard var journal = state.journal else { return }
        do {
            if journal.lines > 2 * capacity + state.entries.count {
                try journal.rewrite(Self.snapshot(state))
            } else {
                try journal.append(line)
            }
            state.journalFailed = false
        } catch {
            // Said once: the tasks stay kept in memory, a restart would not find the latest.
            if !state.journalFailed { logger.error("cannot write the task journal", metadata: ["error": "\(error)"]) }
            state.journalFailed = true
        }
        state.journal = journal
    }

    private func forgetOldest(_ state: inout State) {
        for id in Self.trim(&state, capacity: capacity) {
            write(.init(id: id, state: .forgotten), &state)
        }
    }

    /// Forgets the oldest settled tasks past `capacity`; returns their ids.
    @discardableResult
    private static func trim(_ state: inout State, capacity: Int) -> [Int64] {
        var forgotten: [Int64] = []
        var index = 0
        while state.order.count > capacity, index < state.order.count {
            let id = state.order[index]
            switch state.entries[id] {
            case .running, .ended(_, false, _):
                index += 1
            default:
                state.entries[id] = nil
                state.order.remove(at: index)
                forgotten.append(id)
            }
        }
        return forgotten
    }

    /// The lines that rebuild `state` exactly, oldest first.
    private static func snapshot(_ state: State) -> [TaskJournal.Line] {
        state.order.compactMap { id in
            switch state.entries[id] {
            case .running: TaskJournal.Line(id: id, state: .running)
            case .interrupted: TaskJournal.Line(id: id, state: .interrupted)
            case .ended(let result, let accepted, let seq):
                TaskJournal.Line(id: id, state: .ended, result: result, accepted: accepted, seq: seq)
            case nil: nil
            }
        }
    }

    private static func replay(_ lines: [TaskJournal.Line], into state: inout State) {
        for line in lines {
            let known = state.entries[line.id]
            switch line.state {
            case .running, .interrupted:
                if known == nil { state.order.append(line.id) }
                state.entries[line.id] = line.state == .running ? .running : .interrupted
            case .ended:
                guard let result = line.result else { continue }
                if known == nil { state.order.append(line.id) }
                let seq = line.seq ?? state.nextSeq
                state.entries[line.id] = .ended(result, accepted: line.accepted ?? false, seq: seq)
                state.nextSeq = max(state.nextSeq, seq + 1)
            case .accepted:
                if case .ended(let result, _, let seq)? = known { state.entries[line.id] = .ended(result, accepted: true, seq: seq) }
            case .resend:
                if case .ended(let result, _, let seq)? = known {
                    let newSeq = line.seq ?? seq
                    state.entries[line.id] = .ended(result, accepted: false, seq: newSeq)
                    state.nextSeq = max(state.nextSeq, newSeq + 1)
                }
            case .forgotten:
                state.entries[line.id] = nil
                state.order.removeAll { $0 == line.id }
            }
        }
    }
}
