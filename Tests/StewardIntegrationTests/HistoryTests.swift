#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardClient
import StewardAPI
import StewardSystem
import Testing

extension IntegrationTests {
    @Test("dry run answers the plan and runs nothing; retry reruns only the failed instance")
    func dryRunAndRetry() async throws {
        try await withCluster { cluster, api in
            let dry = try await api.post("/web/v1/maintain/cluster/1/service/Gateway/start?dry_run=true",
                                         ServiceActionRequest(onlySelf: false), as: ProgressDocument.self)
            #expect(dry.status == 200)
            #expect(dry.envelope.id == -1)
            #expect(dry.envelope.resObj?.stepList.map(\.name) == ["Start CoordinatorServer", "Start StorageMaster", "Start StorageNode", "Start GatewayServer"])
            #expect(dry.envelope.resObj?.stepList.allSatisfy { $0.tasks.allSatisfy { $0.state == .pending } } == true)
            #expect(try await api.progress(1).status == 404, "a dry run creates no command")
            #expect(try await api.instances().allSatisfy { $0.operationalStatus == .stopped }, "and starts nothing")
            let audit = String(decoding: try await api.raw(.GET, "/web/v1/audit?action=SERVICE_START").body, as: UTF8.self)
            #expect(!audit.contains("Gateway"), "a dry run changes nothing and is not audited: \(audit.prefix(300))")

            // A dry run on a busy service is refused as the command would be.
            _ = try await api.saveConfiguration(instanceValue("Coordinator", "CoordinatorServer", "host-1", "startup_delay_ms", "60000", restart: false))
            let slow = try await api.service(.start, "Coordinator", onlySelf: true)
            let busy = try await api.post("/web/v1/maintain/cluster/1/service/Storage/start?dry_run=true",
                                          ServiceActionRequest(onlySelf: false), as: ProgressDocument.self)
            #expect(busy.status == 409)
            #expect(busy.envelope.errorCode == ErrorCode.serviceBusy.rawValue)
            #expect(try await api.call(.POST, "/web/v1/common/command/\(slow.envelope.id)/abort").status == 200)
            _ = try await api.saveConfiguration(instanceValue("Coordinator", "CoordinatorServer", "host-1", "startup_delay_ms", "0", restart: false))

            let holder = try PortHolder(port: try await cluster.port("GatewayServer@host-2"))
            let failed = try await api.run(.start, "Gateway", onlySelf: true)
            #expect(failed.state == .failed)
            holder.release()
            let keptPid = try await api.instances(service: "Gateway").first { $0.hostName == "host-3" }?.pid
            #expect(keptPid != nil)
            let retry = try await api.call(.POST, "/web/v1/common/command/\(failed.id)/retry")
            #expect(retry.status == 200)
            #expect(retry.envelope.id > failed.id)
            let result = try await api.wait(for: retry.envelope.id)
            #expect(result.state == .complete)
            #expect(result.stepNames == ["Start GatewayServer"])
            #expect(result.resObj?.stepList.first?.tasks.map(\.instance) == ["GatewayServer@host-2"])
            let after = try await api.instances(service: "Gateway")
            #expect(after.allSatisfy { $0.operationalStatus == .started })
            #expect(after.first { $0.hostName == "host-3" }?.pid == keptPid, "the instance that had not failed was not touched")
            let again = try await api.call(.POST, "/web/v1/common/command/\(retry.envelope.id)/retry")
            #expect(again.status == 409)
            #expect(again.envelope.errorCode == ErrorCode.nothingToRetry.rawValue)
        }
    }

    @Test("abort stops a running task's process for real, even one that ignores SIGTERM, and ends FAILED (aborted)")
    func abortRunningCommand() async throws {
        try await withCluster(stackJSON: Self.hungStack) { cluster, api in
            let started = try await api.service(.start, "Hung", onlySelf: true)
            let id = started.envelope.id
            let marker = cluster.root + "/host-1/instances/HungServer/"
            let pid = try await waitFor("the hung process to run") { () -> pid_t? in
                ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(pid_t.init).first {
                    ProcessControl.commandLine($0)?.contains(marker) == true
                }
            }
            // It ignores SIGTERM from the moment it says it is starting up.
            _ = try await waitFor("the hung process to start up") { () -> Bool? in
                let log = (try? String(contentsOfFile: marker + "HungServer.log", encoding: .utf8)) ?? ""
                return log.contains("starting up") ? true : nil
            }
            let abort = try await api.call(.POST, "/web/v1/common/command/\(id)/abort")
            #expect(abort.status == 200)
            #expect(abort.envelope.state == .failed)
            #expect(abort.envelope.errorCode == ErrorCode.aborted.rawValue)
            let progress = try await api.progress(id).envelope
            #expect(progress.state == .failed)
            #expect(progress.errorCode == ErrorCode.aborted.rawValue)
            #expect(progress.errorDescription.contains("Aborted by admin"))
            // SIGTERM is ignored; the agent escalates to SIGKILL after the stop timeout.
            _ = try await waitFor("the hung process to be killed", timeout: .seconds(30)) { () -> Bool? in
                ProcessControl.commandLine(pid)?.contains(marker) == true ? nil : true
            }
            let log = try await waitFor("the agent to say what it did") { () -> String? in
                let text = (try? String(contentsOfFile: cluster.root + "/host-1.log", encoding: .utf8)) ?? ""
                return text.contains("aborted") ? text : nil
            }
            #expect(log.contains("killed"), "SIGTERM was ignored, so the process was killed")
            let twice = try await api.call(.POST, "/web/v1/common/command/\(id)/abort")
            #expect(twice.status == 409)
            #expect(twice.envelope.errorCode == ErrorCode.commandEnded.rawValue)
            #expect(try await api.call(.POST, "/web/v1/common/command/999999/abort").status == 404)
        }
    }

    static let hungStack = #"""
    {"name": "hung", "version": "1", "cluster": {"id": 1, "name": "hung", "hosts": ["host-1", "host-2", "host-3"]},
     "services": [{"name": "Hung", "roles": [{"name": "HungServer", "hosts": ["host-1"],
       "process": {"start": ["{steward}", "role", "--config", "{conf_dir}/role.json"],
                   "check": {"type": "http", "port_parameter": "port", "path": "/health"},
                   "start_timeout_seconds": 60, "stop_timeout_seconds": 2},
       "configurations": [{"name": "port", "type": "PORT", "default": "21500"},
                          {"name": "startup_delay_ms", "type": "INT", "default": "600000", "min": 0},
                          {"name": "ignore_sigterm", "type": "BOOL", "default": "true"}],
       "config_files": [{"name": "role.json", "format": "json"}]}]}]}
    """#

    @Test("the command history lists with filters and paging")
    func commandHistory() async throws {
        try await withCluster { cluster, api in
            _ = try await api.run(.start, "Coordinator", onlySelf: true)
            _ = try await api.run(.stop, "Coordinator", onlySelf: true)
            let holder = try PortHolder(port: try await cluster.port("GatewayServer@host-3"))
            _ = try await api.run(.start, "Gateway", onlySelf: true)
            holder.release()
            struct List: Codable, Sendable {
                struct Item: Codable, Sendable { let id: Int64; let kind: String; let state: String; let target: String; let total_step_size: Int }
                let total: Int
                let commands: [Item]
            }
            let all = try #require(try await api.get("/web/v1/common/commands", as: List.self).envelope.resObj)
            #expect(all.total == 3)
            #expect(all.commands.map(\.id) == [3, 2, 1], "newest first")
            #expect(all.commands.first?.total_step_size == 1)
            let failed = try #require(try await api.get("/web/v1/common/commands?state=FAILED", as: List.self).envelope.resObj)
            #expect(failed.commands.map(\.id) == [3])
            let coordinator = try #require(try await api.get("/web/v1/common/commands?service_name=Coordinator&kind=STOP_SERVICE", as: List.self).envelope.resObj)
            #expect(coordinator.commands.map(\.id) == [2])
            let page = try #require(try await api.get("/web/v1/common/commands?limit=1&offset=1", as: List.self).envelope.resObj)
            #expect(page.total == 3)
            #expect(page.commands.map(\.id) == [2])
            #expect(try await api.raw(.GET, "/web/v1/common/commands?state=DONE").status == 400)
            #expect(try await api.raw(.GET, "/web/v1/common/commands?limit=0").status == 400)
        }
    }
}

extension IntegrationTests {
    @Test("a task's output is readable while it runs, and kept when it ends")
    func taskOutputMidTask() async throws {
        try await withCluster { cluster, api in
            _ = try await api.saveConfiguration(instanceValue("Gateway", "GatewayServer", "host-2", "startup_delay_ms", "4000", restart: false))
            let started = try await api.service(.start, "Gateway", onlySelf: true)
            let id = started.envelope.id
            let task = try #require(try await api.progress(id).envelope.task("GatewayServer@host-2", in: "Start GatewayServer"))
            let path = "/web/v1/common/command/\(id)/tasks/\(task.id)/output"
            let live = try await waitFor("output while the task runs") { () -> TaskOutputView? in
                let view = try await api.get(path, as: TaskOutputView.self).envelope.resObj
                return view?.output.contains("starting up") == true ? view : nil
            }
            #expect(live.state == .running)
            #expect(live.instance == "GatewayServer@host-2")
            #expect(try await api.wait(for: id).state == .complete)
            let done = try #require(try await api.get(path, as: TaskOutputView.self).envelope.resObj)
            #expect(done.state == .succeeded)
            #expect(done.output.contains("listening on 127.0.0.1"))
            #expect(done.endTime != nil)
            #expect(try await api.raw(.GET, "/web/v1/common/command/\(id)/tasks/999999/output").status == 404)
            #expect(try await api.raw(.GET, "/web/v1/common/command/\(id)/tasks/x/output").status == 400)
        }
    }
}
