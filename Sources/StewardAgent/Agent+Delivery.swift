import Foundation
import Logging
import StewardAPI
import Synchronization

/// Delivery of what the agent owes the managers: the results the ledger holds
/// unsent, in the order the tasks ended, each until a manager answers 2xx (a
/// final 4xx, such as a task the manager does not know, drops it with a log
/// line); and the latest output of running tasks. A manager gone ends the
/// connection, and the same results go to the next manager the agent registers with.
extension Agent {
    enum Delivery {
        /// Nothing left to send.
        case done
        /// A manager refused for now (5xx other than 502-504, 408, 429): try again shortly.
        case retry
        /// The manager is gone, or the connection is ending.
        case lost
    }

    func deliveryLoop() async {
        var backoff = Duration.milliseconds(50)
        while !Task.isCancelled {
            switch await deliverPending() {
            case .done:
                backoff = .milliseconds(50)
                await deliveries.wait(upTo: .seconds(5))
            case .retry:
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(2))
            case .lost:
                return
            }
        }
    }

    /// Sends the pending outputs, then every unsent result, in order.
    func deliverPending() async -> Delivery {
        for (taskId, tail) in outputs.take() {
            do {
                try await link.output(AgentTaskOutput(host: options.host, taskId: taskId, outputTail: tail))
            } catch {
                guard lost(error, in: "output") else { continue }  // refused: the result carries the tail anyway
                if case .running? = ledger.entry(taskId) { outputs.putBack(taskId: taskId, tail: tail) }
                return .lost
            }
        }
        for (result, seq) in ledger.unsent() {
            if Task.isCancelled { return .lost }
            do {
                try await link.report(result)
                ledger.accepted(result.taskId, seq: seq)
            } catch let refused as ManagerLink.Refused where refused.isFinal {
                logger.error("result refused; dropped", metadata: ["task": "\(result.taskId)", "reason": "\(refused)"])
                ledger.accepted(result.taskId, seq: seq)
            } catch {
                if lost(error, in: "result") { return .lost }
                logger.warning("result not accepted yet; sending it again", metadata: ["task": "\(result.taskId)", "error": "\(error)"])
                return .retry
            }
        }
        return .done
    }
}

/// The latest output of each running task not yet sent: a newer tail
/// replaces an older one (each is the whole tail so far), and the task's
/// result, which carries the final tail, replaces both.
final class PendingOutputs: Sendable {
    private let tails = Mutex<[Int64: String]>([:])

    func offer(taskId: Int64, tail: String) {
        tails.withLock { $0[taskId] = tail }
    }

    /// Everything pending, oldest task first; pending no more.
    func take() -> [(taskId: Int64, tail: String)] {
        tails.withLock { tails in
            defer { tails = [:] }
            return tails.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
    }

    /// A tail that could not be sent, unless a newer one came meanwhile.
    func putBack(taskId: Int64, tail: String) {
        tails.withLock { if $0[taskId] == nil { $0[taskId] = tail } }
    }

    func drop(taskId: Int64) {
        tails.withLock { $0[taskId] = nil }
    }
}
