import Logging
import StewardAPI
import StewardEngine
import StewardStore

/// Transitions: a change applied, stored, published, then acted on (tasks
/// sent), in that order; and what ends tasks besides their results (timeouts,
/// lost hosts, restarted agents).
extension CommandCenter {
    // MARK: transitions

    func hostLost(_ host: String) async {
        logger.warning("host lost: no heartbeat", metadata: ["host": "\(host)"])
        await failRunningTasks(on: host, .hostLost,
                               "host \(host) stopped sending heartbeats for over \(settings.heartbeatTimeoutMs / 1000) s")
    }

    func completeQueued() async {
        let results = queuedResults
        queuedResults = []
        let unstored = await apply(results.compactMap(completion))
        guard !unstored.isEmpty else { return }
        for r in results where taskOwner[r.taskId].map(unstored.contains) == true { unstoredResults.insert(r.taskId) }
    }

    func completion(of result: AgentTaskResult) -> Mutation? {
        guard let id = taskOwner[result.taskId] else {
            logger.debug("late result ignored", metadata: ["task": "\(result.taskId)"])
            return nil
        }
        // The hub refuses a result about another host's task; this holds even if it did not.
        guard active[id]?.task(id: result.taskId)?.instance.host == result.host else {
            logger.warning("result from the wrong host ignored", metadata: ["task": "\(result.taskId)", "host": "\(result.host)"])
            return nil
        }
        // Only the codes an agent may give (software missing, prepare failed); any other is the task's own failure.
        let code = result.errorCode.flatMap(ErrorCode.init(rawValue:)).flatMap { [.softwareMissing, .prepareFailed].contains($0) ? $0 : nil }
        let outcome = TaskOutcome(succeeded: result.succeeded, errorCode: code ?? .taskFailed, detail: result.detail,
                                  exitCode: result.exitCode, outputTail: result.outputTail)
        let now = clock.now()
        return (id, { $0.complete(taskID: result.taskId, outcome: outcome, now: now) })
    }

    /// Fails what is past its deadline, and begins a rolling restart's next batch once its pause has passed.
    func expire() async {
        let now = clock.now()
        let detail = "no result from the agent within the task timeout"
        var due: [Mutation] = deadlines.compactMap { taskID, deadline -> Mutation? in
            guard deadline < now, let id = taskOwner[taskID] else { return nil }
            return (id, { $0.complete(taskID: taskID, outcome: .failure(.taskTimedOut, detail), now: now) })
        }
        for (id, command) in active where command.isPausing { due.append((id, { $0.advance(now: now) })) }
        await apply(due)
    }

    func failRunningTasks(on host: String, _ code: ErrorCode, _ detail: String, only: Set<Int64>? = nil) async {
        let now = clock.now()
        var failures: [Mutation] = []
        for (id, command) in active {
            for task in command.runningTasks where task.instance.host == host && only.map({ $0.contains(task.id) }) ?? true {
                failures.append((id, { $0.complete(taskID: task.id, outcome: .failure(code, detail), now: now) }))
            }
        }
        await apply(failures)
    }

    /// What of `batch` the store took: all of it in one write, or, if that
    /// fails, each command's part on its own, so that one bad write does not
    /// lose every result that came with it.
    func stored(_ batch: [Transition]) async -> [Transition] {
        do {
            try await store.save(batch)
            storeWrites += 1
            return batch
        } catch where batch.count > 1 {
            logger.warning("could not store transitions together; storing them one command at a time", metadata: ["error": "\(error)"])
        } catch let lost as LeaseLost {
            relinquish(lost.command)
            return []
        } catch {
            logger.error("could not store a transition", metadata: ["command": "\(batch[0].command.id)", "error": "\(error)"])
            return []
        }
        var kept: [Transition] = []
        for part in batch {
            do {
                try await store.save(part.command, change: part.change)
                storeWrites += 1
                kept.append(part)
            } catch let lost as LeaseLost {
                relinquish(lost.command)
            } catch {
                logger.error("could not store a transition", metadata: ["command": "\(part.command.id)", "error": "\(error)"])
            }
        }
        return kept
    }

    /// One state change of one command.
    typealias Mutation = (id: Int64, mutate: (inout Command) -> CommandChange)
    /// A command as changed, and what changed: one command's part of a write.
    typealias Transition = (command: Command, change: CommandChange)

    func transition(_ id: Int64, _ mutate: @escaping (inout Command) -> CommandChange) async {
        await apply([(id, mutate)])
    }

    /// Applies state changes, stores them all in one transaction, then
    /// publishes them, then acts on them: nothing is published before it is stored.
    /// Returns the commands whose change the store did not take (nothing of it applied).
    @discardableResult
    func apply(_ mutations: [Mutation]) async -> Set<Int64> {
        var batch: [Transition] = []
        var slot: [Int64: Int] = [:]
        for (id, mutate) in mutations {
            if let i = slot[id] {
                // In place: a later result of the same command copies none of its tasks.
                let change = mutate(&batch[i].command)
                batch[i].change.merge(change)
                continue
            }
            guard var command = active[id] else { continue }
            let before = command.state
            let change = mutate(&command)
            guard !change.isEmpty || command.state != before else { continue }
            slot[id] = batch.count
            batch.append((command, change))
        }
        guard !batch.isEmpty else { return [] }
        var refused: [Mutation] = []
        let kept = await stored(batch)
        var unstored = Set(batch.map(\.command.id))
        for (command, change) in kept {
            unstored.remove(command.id)
            active[command.id] = command
            for taskID in change.tasks where command.task(id: taskID)?.state.isTerminal == true {
                deadlines[taskID] = nil
                liveOutput[taskID] = nil
            }
            // What an ended placement command changed is stored before its end is shown.
            if command.state.isTerminal { await settlePlacement(of: command) }
            progress.publish(command)
            await notices.announce(.command(command.id))
            if command.state.isTerminal {
                finish(command)
                continue
            }
            // A task sent and ended within one batch (say, by a lost host) is not sent.
            let send = change.dispatch.filter { command.task(id: $0.id)?.state == .running }
            for (taskID, outcome) in await dispatch(send, of: command) {
                refused.append((command.id, { $0.complete(taskID: taskID, outcome: outcome, now: self.clock.now()) }))
            }
        }
        if !refused.isEmpty { await apply(refused) }
        return unstored
    }

    func finish(_ command: Command) {
        telemetry.commandEnded(command)
        restarts?.commandEnded(command)
        release(command)
        logger.info("command ended", metadata: [
            "command": "\(command.id)", "state": "\(command.state.rawValue)", "kind": "\(command.kind.rawValue)",
        ])
    }

    /// Forgets a command this center no longer drives: its locks, tasks and deadlines.
    func release(_ command: Command) {
        active[command.id] = nil
        for s in command.services where locks[s] == command.id { locks[s] = nil }
        if let host = Self.placementHost(of: command), hostLocks[host] == command.id { hostLocks[host] = nil }
        for task in command.steps.flatMap(\.tasks) {
            taskOwner[task.id] = nil
            deadlines[task.id] = nil
            liveOutput[task.id] = nil
        }
    }

    /// Sends tasks to their hosts' agents; a task for a lost host fails at once,
    /// unless it is `resent` (a command resumed: its agent, perhaps still
    /// reconnecting, answers a task it has run with its outcome).
    func dispatch(_ tasks: [CommandTask], of command: Command, resent: Bool = false) async -> [(Int64, TaskOutcome)] {
        var refused: [(Int64, TaskOutcome)] = []
        var byHost: [String: [AgentTask]] = [:]
        let configurations = await cluster.taskConfigurations(for: tasks.map(\.instance))
        for task in tasks {
            let host = task.instance.host
            if !resent, await agents.isLost(host) {
                refused.append((task.id, .failure(.hostLost, "host \(host) has no connected agent")))
                continue
            }
            guard let (_, role) = stack.role(task.instance.role), let config = configurations[task.instance] else { continue }
            // A clean-up stops the process first, then deletes its directory.
            let timeout = switch task.operation {
            case .start: role.process.startTimeoutSeconds
            case .stop, .remove: role.process.stopTimeoutSeconds + 5
            case .restart: role.process.stopTimeoutSeconds + role.process.startTimeoutSeconds + 5
            }
            byHost[host, default: []].append(AgentTask(
                taskId: task.id, commandId: command.id, instance: task.instance, operation: task.operation,
                process: role.process, configuration: config.values, configFiles: role.configFiles,
                configDigest: config.digest, timeoutSeconds: timeout, context: config.context))
            deadlines[task.id] = clock.now() + Millis(timeout * 1000 + settings.taskGraceMs)
        }
        for (host, list) in byHost { await agents.enqueue(list, for: host) }
        return refused
    }
}
