import Foundation
import Logging
import StewardAPI

/// The agent's side of a connection: register with the current manager, then
/// poll, heartbeat and deliver results to it until one of them finds it gone.
/// A request that fails at the connection level moves the agent to the next
/// manager of its list; anything else (a refusal) registers again with the
/// same one. The incarnation stays the same across moves: it is the same
/// process, and no manager may take it for a restarted agent.
extension Agent {
    func connectionLoop(inbox: AsyncStream<AgentTask>.Continuation) async {
        while !Task.isCancelled {
            guard let welcome = await registerWithRetry() else { break }
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await self.heartbeatLoop(intervalMs: welcome.heartbeatIntervalMs, metricsIntervalMs: welcome.metricsIntervalMs)
                }
                group.addTask { await self.deliveryLoop() }
                group.addTask { await self.pollLoop(timeoutMs: welcome.pollTimeoutMs, inbox: inbox) }
                // The first loop to end found the link broken (and moved on if its manager is gone): all start again.
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Registers with the current manager; one that cannot be reached is left
    /// for the next at once, and the agent waits (50 ms doubling up to 2 s)
    /// only once a whole round of them failed.
    func registerWithRetry() async -> AgentWelcome? {
        var backoff = Duration.milliseconds(50)
        var lastError = ""
        var unreachable = 0
        while !Task.isCancelled {
            let url = managers.current.url
            do {
                link.credential.reload()
                let info = HostInfo.read()
                let hello = AgentHello(host: options.host, agentVersion: Self.version, instances: await supervisor.reports(),
                                       incarnation: incarnation, address: options.address, cores: info.cores,
                                       memoryMiB: info.memoryMiB, os: info.os)
                let welcome = try await link.register(hello)
                if let issued = welcome.credential { keep(issued) }
                if welcome.pending {
                    // Said once: an admin must approve the host; until then it asks again, every second.
                    if lastError != "pending" {
                        logger.notice("waiting for an admin to approve this host", metadata: ["host": "\(options.host)"])
                    }
                    lastError = "pending"
                    try? await Task.sleep(for: .seconds(1))
                    continue
                }
                logger.info("registered", metadata: ["manager": "\(url)", "host": "\(options.host)"])
                return welcome
            } catch let refused as ManagerLink.Refused where refused.code == ErrorCode.agentCredentialNotFound.rawValue {
                logger.warning("the manager never issued this host's credential (a new store?); joining again",
                               metadata: ["credential": "\(options.credentialPath)"])
                link.credential.forget()
                continue
            } catch let refused as ManagerLink.Refused where refused.isFinal {
                let text = "\(refused)"
                if text != lastError {
                    logger.error("registration refused", metadata: ["reason": "\(text)", "credential": "\(options.credentialPath)"])
                }
                lastError = text
                backoff = .seconds(5)
            } catch where Task.isCancelled {
                return nil
            } catch let gone as ManagerLink.Unreachable {
                // Said once per distinct reason: a bad certificate must be visible, a restart need not be noisy.
                let text = "\(gone)"
                if text != lastError { logger.warning("cannot reach the manager", metadata: ["error": "\(text)"]) }
                lastError = text
                managers.moveOn(from: gone.generation, reason: "\(gone.underlying)")
                unreachable += 1
                // The next manager is tried at once; a round of them all failing waits a little.
                if unreachable % managers.urls.count != 0 { continue }
            } catch {
                let text = "\(error)"
                if text != lastError { logger.warning("cannot register", metadata: ["error": "\(text)"]) }
                lastError = text
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(2))
        }
        return nil
    }

    /// Keeps the credential the manager issued at this host's first join.
    private func keep(_ issued: String) {
        do {
            try link.credential.keep(issued)
            logger.info("joined: host credential kept", metadata: ["file": "\(options.credentialPath)"])
        } catch {
            // Still used in memory; a restart would find no credential and be refused as already joined.
            logger.error("cannot keep the host credential", metadata: ["file": "\(options.credentialPath)", "error": "\(error)"])
        }
    }

    /// A request of this connection failed: if the manager is unreachable, the
    /// agent moves on to the next one. Says whether the connection is lost.
    func lost(_ error: any Error, in what: String) -> Bool {
        if Task.isCancelled { return true }
        guard let gone = error as? ManagerLink.Unreachable else { return false }
        if managers.urls.count == 1 {
            // Nowhere else to go: only a failed poll re-registers, as with one manager it always did (a
            // heartbeat timing out on a busy manager must not make a thousand agents register again).
            guard what == "poll" else { return false }
            logger.warning("lost the manager; reconnecting", metadata: ["error": "\(gone)"])
        }
        managers.moveOn(from: gone.generation, reason: "\(what): \(gone.underlying)")
        return true
    }

    /// Each poll acknowledges the previous answer's tasks (a new connection
    /// starts acknowledging afresh). A task delivered again is acknowledged
    /// again but, by the ledger, never run twice.
    private func pollLoop(timeoutMs: Int, inbox: AsyncStream<AgentTask>.Continuation) async {
        var acknowledgements: [Int64] = []
        while !Task.isCancelled {
            let work: AgentWork
            do {
                work = try await link.poll(host: options.host, received: acknowledgements, timeoutMs: timeoutMs)
            } catch {
                // Moved on if the manager is gone; re-registers with the same one after a refusal.
                if !lost(error, in: "poll") {
                    logger.warning("poll refused; registering again", metadata: ["error": "\(error)"])
                }
                return
            }
            if !work.abort.isEmpty {
                logger.info("abort", metadata: ["tasks": "\(work.abort)"])
                await supervisor.abort(work.abort)
            }
            acknowledgements = work.tasks.map(\.taskId)
            for task in work.tasks {
                await arrived(task, inbox: inbox)
            }
        }
    }

    /// What a delivered task calls for, by the ledger.
    func arrived(_ task: AgentTask, inbox: AsyncStream<AgentTask>.Continuation) async {
        switch ledger.receive(task) {
        case .run:
            inbox.yield(task)
        case .running:
            logger.info("task delivered again while it runs; its result will follow", metadata: ["id": "\(task.taskId)"])
        case .ended:
            logger.info("task delivered again after it ended; sending its result again", metadata: ["id": "\(task.taskId)"])
            await deliveries.ring()
        case .interrupted:
            // Its process may have done anything before this agent's previous process ended: it is not run twice.
            logger.warning("task delivered again that a previous agent process was running; answered as failed",
                           metadata: ["id": "\(task.taskId)"])
            ledger.finish(AgentTaskResult(
                host: options.host, taskId: task.taskId, succeeded: false,
                detail: "the agent restarted while this task ran; it is not run again", exitCode: nil, outputTail: "",
                instance: await report(of: task), errorCode: ErrorCode.agentRestarted.rawValue))
            await deliveries.ring()
        }
    }

    /// Heartbeats carry the instances' status; one lost is not kept (the next
    /// says the same, newer). A manager gone ends the connection.
    private func heartbeatLoop(intervalMs: Int, metricsIntervalMs: Int) async {
        var metrics = HostMetrics(dataDirectory: options.dataDirectory)
        _ = metrics.sample()  // the first sample only sets the counters that rates are measured from
        var lastSample = ContinuousClock.now
        while !Task.isCancelled {
            var sample: HostSample?
            if ContinuousClock.now - lastSample >= .milliseconds(metricsIntervalMs) {
                sample = metrics.sample()
                lastSample = ContinuousClock.now
            }
            let beat = AgentHeartbeat(host: options.host, instances: await supervisor.reports(), metrics: sample)
            do {
                try await link.heartbeat(beat)
            } catch {
                if lost(error, in: "heartbeat") { return }
                logger.debug("heartbeat failed", metadata: ["error": "\(error)"])
            }
            await doorbell.wait(upTo: .milliseconds(intervalMs))
        }
    }
}
