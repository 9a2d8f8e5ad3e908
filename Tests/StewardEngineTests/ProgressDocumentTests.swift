import Foundation
import StewardAPI
import StewardEngine
import Testing

@Suite("ProgressDocument and Envelope")
struct ProgressDocumentTests {
    func json(_ value: some Encodable) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Start Gateway; CoordinatorServer@host-2 fails, so the command fails in step 0.
    func failedStart() throws -> Command {
        var command = try plannedCommand(.startService, service: "Gateway", id: 42, createdAt: 500)
        _ = command.advance(now: 510)
        _ = command.complete(taskID: 1, outcome: TaskOutcome(succeeded: true, outputTail: "fine"), now: 511)
        _ = command.complete(taskID: 2, outcome: TaskOutcome(succeeded: false, errorCode: .taskFailed, detail: "exit 1",
                                                             exitCode: 1, outputTail: "bind: in use"), now: 512)
        _ = command.complete(taskID: 3, outcome: TaskOutcome(succeeded: true), now: 513)
        return command
    }

    @Test func documentOfAFailedStart() throws {
        let command = try failedStart()
        let doc = ProgressDocument(command)
        #expect(doc.clusterId == 1)
        #expect(doc.totalStepSize == command.steps.count)
        #expect(doc.totalStepSize == 4)
        #expect(doc.stepList.count == 4)
        #expect(doc.stepList.map(\.name) == command.steps.map(\.name))
        #expect(doc.stepList.map(\.description) == command.steps.map(\.description))
        #expect(doc.stepList.map(\.state) == [.failed, .skipped, .skipped, .skipped])
        #expect(doc.failEntityList == [ProgressDocument.FailEntity(failEntity: "CoordinatorServer@host-2", operationType: .start)])
        #expect(doc.commandKind == .startService)
        #expect(doc.serviceName == "Gateway")
        #expect(doc.user == "admin")
        #expect(doc.createTime == 500)
        #expect(doc.endTime == 513)
        let tasks = doc.stepList[0].tasks
        #expect(tasks.map(\.id) == [1, 2, 3])
        #expect(tasks[1].instance == "CoordinatorServer@host-2")
        #expect(tasks[1].service == "Coordinator" && tasks[1].role == "CoordinatorServer" && tasks[1].host == "host-2")
        #expect(tasks[1].state == .failed)
        #expect(tasks[1].operation == .start)
        #expect(tasks[1].errorCode == ErrorCode.taskFailed.rawValue)
        #expect(tasks[1].exitCode == 1)
        #expect(tasks[1].detail == "exit 1")
        // The output tail is shown only for failed tasks.
        #expect(tasks[1].outputTail == "bind: in use")
        #expect(tasks[0].outputTail == nil)
        #expect(tasks[0].errorCode == nil)
        #expect(tasks[0].startTime == 510 && tasks[0].endTime == 511)
    }

    @Test func stepProgress() throws {
        var command = try plannedCommand(.startService, service: "Gateway")
        _ = command.advance(now: 1)
        #expect(ProgressDocument(command).stepList.map(\.progress) == [50, 0, 0, 0])
        _ = command.succeedRunning(now: 2)
        #expect(ProgressDocument(command).stepList.map(\.progress) == [100, 50, 0, 0])
    }

    @Test func stopFailuresAreReportedAsStop() throws {
        var command = try plannedCommand(.restartService, service: "Storage", onlySelf: true)
        _ = command.advance(now: 1)
        // Step 0 stops StorageNode on three hosts.
        _ = command.complete(taskID: 1, outcome: .failure(.taskTimedOut, "slow"), now: 2)
        _ = command.complete(taskID: 2, outcome: TaskOutcome(succeeded: true), now: 2)
        _ = command.complete(taskID: 3, outcome: .failure(.taskFailed, "x"), now: 2)
        let doc = ProgressDocument(command)
        #expect(doc.failEntityList == [
            ProgressDocument.FailEntity(failEntity: "StorageNode@host-1", operationType: .stop),
            ProgressDocument.FailEntity(failEntity: "StorageNode@host-3", operationType: .stop),
        ])
        #expect(doc.commandKind == .restartService)
    }

    /// A command whose tasks failed as given: (instance, operation) per step.
    func commandWithFailures(_ kind: CommandKind, _ failures: [(InstanceRef, StewardAPI.Operation)]) -> Command {
        let steps = failures.enumerated().map { i, f in
            var step = Step(index: i, name: "\(f.1.verb) \(f.0.role)", description: "", tasks: [CommandTask(id: Int64(i + 1), instance: f.0, operation: f.1)])
            step.state = .failed
            step.tasks[0].state = .failed
            step.tasks[0].errorCode = .taskFailed
            return step
        }
        var command = Command(id: 1, kind: kind, clusterId: 1, target: "Gateway", user: "u", services: ["Gateway"],
                              steps: steps, createdAt: 0)
        command.state = .failed
        return command
    }

    @Test func failEntitiesAreDeduplicatedPerInstanceAndOperation() {
        let g2 = TestStack.ref("GatewayServer", "host-2")
        let g3 = TestStack.ref("GatewayServer", "host-3")
        let command = commandWithFailures(.restartService, [(g2, .stop), (g3, .stop), (g2, .stop), (g2, .start)])
        #expect(command.failedTasks.count == 4)
        #expect(ProgressDocument(command).failEntityList == [
            ProgressDocument.FailEntity(failEntity: "GatewayServer@host-2", operationType: .stop),
            ProgressDocument.FailEntity(failEntity: "GatewayServer@host-3", operationType: .stop),
            ProgressDocument.FailEntity(failEntity: "GatewayServer@host-2", operationType: .start),
        ])
    }

    @Test(arguments: CommandKind.allCases)
    func failEntitiesOnlyForServiceActions(kind: CommandKind) {
        let command = commandWithFailures(kind, [(TestStack.ref("GatewayServer", "host-2"), .start)])
        let doc = ProgressDocument(command)
        #expect(kind.reportsFailedEntities == (kind != .saveConfiguration))
        if kind == .saveConfiguration {
            #expect(doc.failEntityList.isEmpty)
        } else {
            #expect(doc.failEntityList.map(\.failEntity) == ["GatewayServer@host-2"])
        }
    }

    @Test func saveConfigurationWithFailedRestartHasNoFailEntities() {
        var command = saveCommand(restarting: [TestStack.ref("GatewayServer", "host-2")])
        _ = command.advance(now: 1)
        _ = command.complete(taskID: 1, outcome: .failure(.taskFailed, "nope"), now: 2)
        #expect(command.state == .failed)
        #expect(command.failedTasks.count == 1)
        let doc = ProgressDocument(command)
        #expect(doc.failEntityList.isEmpty)
        #expect(doc.totalStepSize == 3)
        #expect(doc.commandKind == .saveConfiguration)
    }

    // MARK: JSON shape

    @Test func progressEnvelopeUsesTheReferenceKeys() throws {
        let command = try failedStart()
        let object = try json(Envelope(progressOf: command))
        #expect(Set(object.keys) == ["id", "state", "error_code", "error_description", "total_progress", "res_obj"])
        #expect(object["id"] as? Int == 42)
        #expect(object["state"] as? String == "FAILED")
        #expect(object["error_code"] as? Int == ErrorCode.taskFailed.rawValue)
        #expect((object["error_description"] as? String)?.contains("CoordinatorServer@host-2") == true)
        #expect(object["total_progress"] as? Int == command.progress)

        let res = try #require(object["res_obj"] as? [String: Any])
        for key in ["cluster_id", "step_list", "fail_entity_list", "total_step_size", "command_kind", "service_name",
                    "user", "create_time", "end_time"] {
            #expect(res[key] != nil, "missing \(key)")
        }
        #expect(res["cluster_id"] as? Int == 1)
        #expect(res["total_step_size"] as? Int == 4)
        #expect(!res.keys.contains("clusterId") && !res.keys.contains("stepList"))

        let steps = try #require(res["step_list"] as? [[String: Any]])
        #expect(steps.count == 4)
        #expect(steps[0]["name"] as? String == "Start CoordinatorServer")
        #expect(steps[0]["description"] as? String == "Start CoordinatorServer of Coordinator on host-1, host-2, host-3")
        #expect(steps[0]["start_time"] as? Int == 510)
        let tasks = try #require(steps[0]["tasks"] as? [[String: Any]])
        #expect(tasks[1]["error_code"] as? Int == ErrorCode.taskFailed.rawValue)
        #expect(tasks[1]["exit_code"] as? Int == 1)
        #expect(tasks[1]["output_tail"] as? String == "bind: in use")

        let fails = try #require(res["fail_entity_list"] as? [[String: Any]])
        #expect(fails.count == 1)
        #expect(fails[0]["fail_entity"] as? String == "CoordinatorServer@host-2")
        #expect(fails[0]["operation_type"] as? String == "START")
    }

    @Test func progressEnvelopeOfACompletedCommand() throws {
        var command = saveCommand()
        _ = command.advance(now: 1)
        let envelope = Envelope(progressOf: command)
        #expect(envelope.state == .complete)
        #expect(envelope.totalProgress == 100)
        #expect(envelope.errorCode == 0)
        #expect(envelope.id == 9)
        let object = try json(envelope)
        #expect(object["total_progress"] as? Int == 100)
        let res = try #require(object["res_obj"] as? [String: Any])
        #expect((res["fail_entity_list"] as? [Any])?.isEmpty == true)
    }

    @Test func progressDocumentRoundTrips() throws {
        let envelope = Envelope(progressOf: try failedStart())
        let decoded = try JSONDecoder().decode(Envelope<ProgressDocument>.self, from: JSONEncoder().encode(envelope))
        #expect(decoded.resObj == envelope.resObj)
        #expect(decoded.id == 42)
        #expect(decoded.totalProgress == envelope.totalProgress)
    }

    @Test func envelopeOmitsResObjWhenNil() throws {
        let object = try json(Envelope<NoResult>(id: 3, state: .complete, totalProgress: 100))
        #expect(Set(object.keys) == ["id", "state", "error_code", "error_description", "total_progress"])
        let failure = try json(Envelope<ClusterHealth>.failure(StewardError(.serviceBusy, "busy")))
        #expect(failure["res_obj"] == nil)
        #expect(failure["state"] as? String == "FAILED")
        #expect(failure["error_code"] as? Int == 13001)
        #expect(failure["error_description"] as? String == "busy")
        #expect(failure["id"] as? Int == -1)
        // With a result, it is present.
        let withResult = try json(Envelope(resObj: ClusterHealth(state: .good)))
        #expect((withResult["res_obj"] as? [String: Any])?["state"] as? String == "GOOD")
    }

    @Test func envelopeDecodesFloatProgressAndMissingFields() throws {
        let text = #"{"id": 5, "state": "IN_PROGRESS", "error_code": 0, "error_description": "", "total_progress": 42.7}"#
        let envelope = try JSONDecoder().decode(Envelope<NoResult>.self, from: Data(text.utf8))
        #expect(envelope.totalProgress == 42)
        #expect(envelope.id == 5)
        #expect(envelope.state == .inProgress)
        #expect(envelope.resObj == nil)

        let sparse = try JSONDecoder().decode(Envelope<ClusterHealth>.self,
                                              from: Data(#"{"total_progress": 100, "res_obj": {"state": "BAD"}}"#.utf8))
        #expect(sparse.id == -1)
        #expect(sparse.state == .failed, "a missing state reads as FAILED, never as success")
        #expect(sparse.errorCode == 0)
        #expect(sparse.totalProgress == 100)
        #expect(sparse.resObj?.state == .bad)
    }

    @Test func stewardErrorDefaultsToTheSummary() {
        #expect(StewardError(.hostNotFound).message == ErrorCode.hostNotFound.summary)
        #expect(StewardError(.hostNotFound, "x").description == "11003: x")
        #expect(ErrorCode.serviceBusy.httpStatus == 409)
        #expect(ErrorCode.taskFailed.httpStatus == 200)
    }
}
