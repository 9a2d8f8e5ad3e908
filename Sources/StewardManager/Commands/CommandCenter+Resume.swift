import Logging
import StewardAPI
import StewardEngine
import StewardStore

/// Commands outlive the manager that drives them. Each unfinished command is
/// driven by the one manager holding its lease in the store (`SQLStore+Leases`);
/// a manager that starts, or that finds another's lease expired, adopts the
/// command and resumes it where the store has it: tasks that were running are
/// sent again (their agents answer a task they have run with its outcome, and
/// never run it twice), and what agents said meanwhile, kept in the store's
/// inbox, is applied. A lone manager restarting on SQLite takes the same path.
extension CommandCenter {
    /// At start: a lone manager resumes every unfinished command; one of several
    /// resumes those whose driver's lease has expired (the rest are driven already).
    func recover(alone: Bool) async throws {
        try await gate.run {
            let commands = try await self.store.claimCommands(now: self.clock.now(), fromEveryone: alone, limit: 10_000)
            await self.adopt(commands)
        }
    }

    /// Each tick: renews this center's leases, lets go of any another manager
    /// has taken, adopts commands whose driver has died, and takes what waits
    /// in the inbox for the commands it drives (a notice may have been missed).
    func keepLeases() async {
        _ = try? await gate.run {
            let now = self.clock.now()
            let held = try await self.store.renewLeases(now: now)
            await self.relinquishAll(except: held)
            let orphans = try await self.store.claimCommands(now: now, fromEveryone: false, limit: 100)
            await self.adopt(orphans)
            await self.takeInbox(Array(self.active.keys))
        }
    }

    /// Lets go of every lease at once (on shutdown), so that another manager resumes them without waiting.
    func releaseLeases() async {
        _ = try? await gate.run { try await self.store.releaseLeases(now: self.clock.now()) }
    }

    private func relinquishAll(except held: Set<Int64>) {
        for id in active.keys where !held.contains(id) { relinquish(id) }
    }

    /// Stops driving a command another manager has taken over (its lease ran
    /// out while this one could not reach the store): that one's state stands.
    func relinquish(_ id: Int64) {
        guard let command = active[id] else { return }
        logger.warning("lease lost: another manager drives this command now", metadata: ["command": "\(id)"])
        release(command)
    }

    /// Whether this center drives the command.
    func drives(_ id: Int64) -> Bool { active[id] != nil }

    /// Drives commands as the store has them. Must run under the gate.
    func adopt(_ commands: [Command]) async {
        for command in commands where active[command.id] == nil {
            if let reason = unresumable(command) {
                await failUnresumable(command, reason)
                continue
            }
            await drive(command)
            logger.notice("resuming command", metadata: [
                "command": "\(command.id)", "step": "\(command.currentStepIndex.map { command.steps[$0].name } ?? "-")",
                "running": "\(command.runningTasks.count)",
            ])
            let refused = await dispatch(command.runningTasks, of: command, resent: true)
            let now = clock.now()
            await apply(refused.map { taskID, outcome in (command.id, { $0.complete(taskID: taskID, outcome: outcome, now: now) }) })
            // Stored as a step ended, before the next began: begin it now.
            await transition(command.id) { $0.advance(now: now) }
        }
        await takeInbox(commands.map(\.id))
    }

    /// A notice says results wait for a command: taken at the center's next turn.
    func takeInboxNow(_ ids: [Int64]) async {
        _ = try? await gate.run { await self.takeInbox(ids) }
    }

    /// Applies what agents said of these commands' tasks while they were on
    /// their way here (to another manager, or before this one adopted them).
    func takeInbox(_ ids: [Int64]) async {
        let mine = ids.filter { active[$0] != nil }
        guard !mine.isEmpty, let items = try? await store.takeInbox(commands: mine), !items.isEmpty else { return }
        var results: [AgentTaskResult] = []
        for item in items {
            switch item {
            case .result(let r): results.append(r)
            case .output(let o): recordOutput(o)
            }
        }
        queuedResults.append(contentsOf: results)
        await completeQueued()
    }

    /// Why a command cannot go on, if it cannot: a task's role is no longer in
    /// the stack (the manager restarted with another stack file). A forgotten
    /// host needs no case here: its task finds no agent and fails at its timeout (14002).
    func unresumable(_ command: Command) -> String? {
        for task in command.steps.flatMap(\.tasks) where !task.state.isTerminal {
            if stack.role(task.instance.role) == nil {
                return "its role \(task.instance.role) is not in the stack the manager runs now"
            }
        }
        return nil
    }

    private func failUnresumable(_ command: Command, _ reason: String) async {
        var command = command
        let step = command.currentStepIndex.map { command.steps[$0].name } ?? "the end"
        let change = command.fail(code: .managerRestarted,
                                  description: "The command could not be resumed at step '\(step)': \(reason). "
                                      + "Check the instances' status and run the command again.",
                                  now: clock.now())
        do {
            try await store.save(command, change: change)
        } catch {
            logger.error("could not store a command that cannot resume", metadata: ["command": "\(command.id)", "error": "\(error)"])
            return
        }
        await settlePlacement(of: command)
        progress.publish(command)
        await notices.announce(.command(command.id))
        logger.warning("failed a command that cannot resume", metadata: ["command": "\(command.id)", "why": "\(reason)"])
    }
}
