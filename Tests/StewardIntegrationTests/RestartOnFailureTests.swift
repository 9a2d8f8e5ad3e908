#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardAPI
import StewardClient
import Testing

extension IntegrationTests {
    /// A role that the manager restarts when it fails, with a live health check every second.
    static let phoenixStack = #"""
    {"name": "phoenix", "version": "1", "cluster": {"id": 1, "name": "phoenix", "hosts": ["host-1", "host-2", "host-3"]},
     "services": [{"name": "Phoenix", "roles": [{"name": "PhoenixServer", "hosts": ["host-1"],
       "process": {"start": ["{steward}", "role", "--config", "{conf_dir}/role.json"],
                   "check": {"type": "http", "port_parameter": "port", "path": "/health"},
                   "check_interval_seconds": 1, "start_timeout_seconds": 30, "stop_timeout_seconds": 5},
       "restart_on_failure": {"initial_backoff_seconds": 1, "max_backoff_seconds": 4, "max_restarts": 3, "reset_after_seconds": 300},
       "configurations": [{"name": "port", "type": "PORT", "default": "21600"}],
       "config_files": [{"name": "role.json", "format": "json"}]}]}]}
    """#

    @Test("restart_on_failure: a role process killed with SIGKILL is restarted (new pid) by a RESTART_INSTANCE command that completes")
    func restartOnFailure() async throws {
        try await withCluster(stackJSON: Self.phoenixStack) { cluster, api in
            #expect(try await api.run(.start, "Phoenix", onlySelf: true).state == .complete)
            let before = try #require(try await api.instances().first { $0.name == "PhoenixServer@host-1" }?.pid)
            kill(before, SIGKILL)

            let filter = { () -> CommandFilter in
                var filter = CommandFilter()
                filter.kind = .restartInstance
                return filter
            }()
            let restart = try await waitFor("a restart command") { () -> CommandSummary? in
                try await api.commands(filter).commands.first
            }
            #expect(restart.user == "system")
            #expect(restart.target == "PhoenixServer@host-1 after failure (attempt 1)")
            #expect(restart.services == ["Phoenix"])
            let done = try await api.wait(for: restart.id)
            #expect(done.state == .complete, "\(done.errorDescription)")

            let after = try await waitFor("the instance running again") { () -> InstanceView? in
                let view = try await api.instances().first { $0.name == "PhoenixServer@host-1" }
                return view?.operationalStatus == .started && view?.healthStatus == .good ? view : nil
            }
            #expect(after.pid != nil && after.pid != before, "a new process")
            // One failure, one restart: the instance is healthy, nothing more is submitted.
            #expect(try await api.commands(filter).total == 1)

            // An operator's stop is obeyed (the wish to run goes with it: FailureRestartsTests).
            #expect(try await api.run(.stop, "Phoenix", onlySelf: true).state == .complete)
        }
    }
}

extension IntegrationTests {
    static let unpreparedStack = #"""
    {"name": "unprepared", "version": "1", "cluster": {"id": 1, "name": "unprepared", "hosts": ["host-1", "host-2", "host-3"]},
     "services": [
      {"name": "Missing", "roles": [{"name": "MissingServer", "hosts": ["host-2"],
        "process": {"start": ["steward-test-no-such-server", "--port", "{port}"],
                    "requires": [{"command": "steward-test-no-such-server", "package": "no-such-server"}]},
        "configurations": [{"name": "port", "type": "PORT", "default": "21610"}]}]},
      {"name": "Unprepared", "roles": [{"name": "UnpreparedServer", "hosts": ["host-1"],
        "process": {"start": ["{steward}", "role", "--config", "{conf_dir}/role.json"],
                    "prepare": [{"command": ["/bin/sh", "-c", "echo 'cannot make the data dir'; exit 3"], "timeout_seconds": 5}]},
        "configurations": [{"name": "port", "type": "PORT", "default": "21620"}],
        "config_files": [{"name": "role.json", "format": "json"}]}]}]}
    """#

    @Test("missing software fails its task with 14007 naming it and the package; a failed prepare step with 14008 and its output")
    func missingSoftwareAndFailedPrepare() async throws {
        try await withCluster(stackJSON: Self.unpreparedStack) { _, api in
            let missing = try await api.run(.start, "Missing", onlySelf: true)
            #expect(missing.state == .failed)
            let task = try #require(missing.task("MissingServer@host-2", in: "Start MissingServer"))
            #expect(task.errorCode == ErrorCode.softwareMissing.rawValue)
            #expect(task.detail == "steward-test-no-such-server is not installed on host-2: command 'steward-test-no-such-server' "
                        + "not found in PATH (install the package 'no-such-server')")

            let unprepared = try await api.run(.start, "Unprepared", onlySelf: true)
            #expect(unprepared.state == .failed)
            let prep = try #require(unprepared.task("UnpreparedServer@host-1", in: "Start UnpreparedServer"))
            #expect(prep.errorCode == ErrorCode.prepareFailed.rawValue)
            #expect(prep.detail.contains("prepare step 1") && prep.detail.contains("exited with status 3: cannot make the data dir"))
            #expect(prep.outputTail?.contains("cannot make the data dir") == true)
        }
    }
}
