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
