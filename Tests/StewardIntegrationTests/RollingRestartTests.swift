#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardAPI
import StewardClient
import Testing

/// Rolling restarts over HTTP, with real agents and the demo stack's role processes.
extension IntegrationTests {
    static let coordinators = ["CoordinatorServer@host-1", "CoordinatorServer@host-2", "CoordinatorServer@host-3"]

    @Test("rolling restart: one step per batch, in order, each after the one before ended and the pause; new pids")
    func rollingRestartRunsBatchesInOrder() async throws {
        try await withCluster { cluster, api in
            #expect(try await api.run(.start, "Coordinator", onlySelf: true).state == .complete)
            let before = try await pids(api)
            let reply = try await api.rollingRestart("Coordinator", RollingRestartRequest(pauseSeconds: 1), cluster: 1)
            #expect(reply.status == 200)
            let result = try await api.wait(for: reply.envelope.id)
            #expect(result.state == .complete, "\(result.errorDescription)")
            #expect(result.errorDescription == "")
            let doc = try #require(result.resObj)
            #expect(doc.commandKind == .rollingRestart)
            #expect(doc.serviceName == "Coordinator")
            #expect(result.stepNames == Self.coordinators.enumerated().map { "Restart batch \($0 + 1) of 3: \($1)" })
            #expect(doc.stepList.flatMap(\.tasks).map(\.operation) == [.restart, .restart, .restart])
            for (earlier, later) in zip(doc.stepList, doc.stepList.dropFirst()) {
                let ended = try #require(earlier.tasks.first?.endTime)
                let began = try #require(later.tasks.first?.startTime)
                #expect(began >= ended + 1000, "\(later.name) began \(began - ended) ms after \(earlier.name) ended; the pause is 1 s")
                let stepEnded = try #require(earlier.endTime), stepBegan = try #require(later.startTime)
                #expect(stepBegan >= stepEnded + 1000)
            }
            let after = try await pids(api)
            for name in Self.coordinators {
                #expect(after[name] != nil && after[name] != before[name], "\(name): pid \(String(describing: before[name])) -> \(String(describing: after[name]))")
            }
            let views = try await api.instances(service: "Coordinator")
            #expect(views.allSatisfy { $0.operationalStatus == .started && $0.healthStatus == .good })
            for name in Self.coordinators { #expect(await roleAnswer(port: try await cluster.port(name))?.status == 200) }
        }
    }

    @Test("rolling restart: bad bounds are 400 and nothing running is 409, with no command created")
    func rollingRestartRefusals() async throws {
        try await withCluster { _, api in
            let path = "/web/v1/maintain/cluster/1/service/Coordinator/rolling_restart"
            for body in [#"{"batch_size":0}"#, #"{"pause_seconds":3601}"#, #"{"pause_seconds":-1}"#, #"{"failure_tolerance":-1}"#] {
                let reply = try await api.call(.POST, path, body: Data(body.utf8))
                #expect(reply.status == 400, "\(body)")
                #expect(reply.envelope.state == .failed)
                #expect(reply.envelope.errorCode == ErrorCode.invalidParameter.rawValue, "\(body)")
            }
            let wrongType = try await api.call(.POST, path, body: Data(#"{"batch_size":"two"}"#.utf8))
            #expect(wrongType.status == 400)
            #expect(wrongType.envelope.errorCode == ErrorCode.malformedJSON.rawValue)
            // Nothing runs yet: there is nothing to restart.
            let idle = try await api.rollingRestart("Coordinator", RollingRestartRequest(), cluster: 1)
            #expect(idle.status == 409)
            #expect(idle.envelope.errorCode == ErrorCode.nothingRunning.rawValue)
            let unknown = try await api.rollingRestart("Nope", RollingRestartRequest(), cluster: 1)
            #expect(unknown.status == 404)
            #expect(try await api.commands().total == 0)
        }
    }

    @Test("rolling restart: a failure past the tolerance fails the command and stops it")
    func rollingRestartToleranceExceeded() async throws {
        try await withCluster { _, api in
            let (before, result, after) = try await rollingRestartBreakingSecondCoordinator(api, tolerance: 0)
            #expect(result.state == .failed)
            #expect(result.errorCode == ErrorCode.toleranceExceeded.rawValue)
            #expect(result.errorDescription.hasPrefix("1 instance(s) failed to restart, more than the failure tolerance of 0: CoordinatorServer@host-2"),
                    "\(result.errorDescription)")
            #expect(result.errorDescription.hasSuffix("1 later batch(es) not run."))
            #expect(result.resObj?.stepList.map(\.state) == [.succeeded, .failed, .skipped])
            #expect(result.failEntities == ["CoordinatorServer@host-2 RESTART"])
            let failed = try #require(result.task("CoordinatorServer@host-2", in: result.stepNames[1]))
            #expect(failed.detail.contains("already in use"), "\(failed.detail)")
            #expect(after["CoordinatorServer@host-1"] != before["CoordinatorServer@host-1"])
            #expect(after["CoordinatorServer@host-3"] == before["CoordinatorServer@host-3"], "the batch after the failure never ran")
        }
    }

    @Test("rolling restart: failures within the tolerance go on, complete, and are named")
    func rollingRestartWithinTolerance() async throws {
        try await withCluster { _, api in
            let (before, result, after) = try await rollingRestartBreakingSecondCoordinator(api, tolerance: 1)
            #expect(result.state == .complete)
            #expect(result.errorCode == 0)
            #expect(result.errorDescription.hasPrefix("1 instance(s) failed to restart, within the failure tolerance of 1: CoordinatorServer@host-2"),
                    "\(result.errorDescription)")
            #expect(result.resObj?.stepList.map(\.state) == [.succeeded, .failed, .succeeded])
            #expect(after["CoordinatorServer@host-1"] != before["CoordinatorServer@host-1"])
            #expect(after["CoordinatorServer@host-3"] != nil && after["CoordinatorServer@host-3"] != before["CoordinatorServer@host-3"])
            #expect(after["CoordinatorServer@host-2"] == nil, "it failed to start again")
        }
    }

    @Test("steward service rolling-restart --wait follows the batches to COMPLETE; a stopped instance is left alone")
    func rollingRestartFromTheCLI() async throws {
        try await withCluster { cluster, api in
            #expect(try await api.run(.start, "Coordinator", onlySelf: true).state == .complete)
            // Stop one instance behind the manager's back: the agent reports it stopped.
            let pid = try #require(try await pids(api)["CoordinatorServer@host-3"])
            kill(pid, SIGTERM)
            _ = try await waitFor("CoordinatorServer@host-3 reported stopped") {
                try await api.instances(service: "Coordinator").first { $0.name == "CoordinatorServer@host-3" }?.operationalStatus == .stopped ? true : nil
            }
            let (status, out) = try await steward(["service", "rolling-restart", "Coordinator", "--batch-size", "2", "--wait"],
                                                  manager: await cluster.client.baseURL)
            #expect(status == 0, "\(out)")
            #expect(out.contains("Restart batch 1 of 1: CoordinatorServer@host-1, CoordinatorServer@host-2"), "\(out)")
            let last = try #require(try await api.commands().commands.first)
            #expect(last.kind == .rollingRestart)
            #expect(last.state == .complete)
            #expect(last.errorDescription == "Not restarted, as they were not running: CoordinatorServer@host-3.")
            let (refused, why) = try await steward(["service", "rolling-restart", "Coordinator", "--pause-seconds", "4000"],
                                                   manager: await cluster.client.baseURL)
            #expect(refused != 0)
            #expect(why.contains("pause_seconds must be 0-3600"), "\(why)")
        }
    }
}

/// Every running instance's pid, by instance name.
func pids(_ api: StewardClient) async throws -> [String: Int32] {
    var out: [String: Int32] = [:]
    for view in try await api.instances() where view.operationalStatus == .started {
        if let pid = view.pid { out[view.name] = pid }
    }
    return out
}

/// Starts Coordinator, saves (without restart) a port for CoordinatorServer@host-2 that the test
/// holds, so that restarting it fails ("port N is already in use"), then rolling-restarts Coordinator
/// with `tolerance`: the pids before, the command at its end, the pids after.
func rollingRestartBreakingSecondCoordinator(_ api: StewardClient, tolerance: Int) async throws
    -> (before: [String: Int32], result: Envelope<ProgressDocument>, after: [String: Int32]) {
    #expect(try await api.run(.start, "Coordinator", onlySelf: true).state == .complete)
    let before = try await pids(api)
    let port = try freePort()
    let holder = try PortHolder(port: port)
    defer { holder.release() }
    let save = try await api.saveConfiguration(instanceValue("Coordinator", "CoordinatorServer", "host-2", "port", String(port), restart: false))
    #expect(try await api.wait(for: save.envelope.id).state == .complete)
    let reply = try await api.rollingRestart("Coordinator", RollingRestartRequest(failureTolerance: tolerance), cluster: 1)
    let result = try await api.wait(for: reply.envelope.id)
    return (before, result, try await pids(api))
}
