#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardAPI
import StewardClient
import StewardTestSupport
import Testing

/// Issue 13 part 4: the drills. Several managers on one real PostgreSQL, real
/// agents and role processes; managers and the database are killed with
/// SIGKILL while commands run. Every command must end COMPLETE, every role
/// process must have been started once, and progress seen from a survivor must
/// never go back.
extension IntegrationTests {
    func withHA(managers: Int, services: Int, startupDelayMs: Int,
                _ body: (HACluster, TestPostgres) async throws -> Void) async throws {
        let postgres = try await TestPostgres.start()
        let ha = try HACluster(database: try await postgres.freshDatabase(), managers: managers, services: services,
                               startupDelayMs: startupDelayMs)
        do {
            // The first manager creates the store and the first admin; the others join it.
            for i in 1...managers { try await ha.startManager(i) }
            try await ha.startAgents()
            let first = ha.client(1)
            _ = try await waitFor("the hosts to connect", timeout: .seconds(60)) { () -> Bool? in
                let hosts = (try? await first.hosts(cluster: 1)) ?? []
                return hosts.count == 3 && hosts.allSatisfy { $0.status == .connected } ? true : nil
            }
            try await body(ha, postgres)
        } catch {
            await ha.stop()
            postgres.stop()
            throw error
        }
        await ha.stop()
        postgres.stop()
    }

    @Test("three managers on PostgreSQL, 20 commands in flight, the drivers killed with SIGKILL: all COMPLETE, each process started once, progress monotonic",
          .enabled(if: TestPostgres.available, "needs PostgreSQL 15"), .timeLimit(.minutes(4)))
    func driversKilledMidCommand() async throws {
        try await withHA(managers: 3, services: 20, startupDelayMs: 6000) { ha, _ in
            // Command n reaches manager n % 3 + 1, which drives it.
            var ids: [Int: Int64] = [:]
            for n in 1...20 {
                let reply = try await ha.client(n % 3 + 1).service(.start, ha.service(n), onlySelf: true, cluster: 1)
                #expect(reply.status == 200, "\(reply.envelope.errorDescription)")
                ids[n] = reply.envelope.id
            }
            // Every process spawned (each start is slow: the commands are in flight).
            var pids: [Int: String] = [:]
            for n in 1...20 {
                let file = ha.pidFile(n)
                pids[n] = try await waitFor("R\(n)'s process", timeout: .seconds(60)) { () -> String? in
                    (try? String(contentsOfFile: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                }
            }
            let survivor = ha.client(3)
            var seen: [Int64: Int] = [:]
            for id in ids.values { seen[id] = try await survivor.progress(id).envelope.totalProgress }
            #expect(try await survivor.progress(ids[1]!).envelope.state == .inProgress, "in flight when the managers die")
            await ha.killManager(1)
            await ha.killManager(2)
            var wentBack: [Int64] = []
            for (n, id) in ids.sorted(by: { $0.key < $1.key }) {
                let end = try await survivor.wait(for: id, timeout: .seconds(90)) { doc in
                    if doc.totalProgress < seen[id] ?? 0 { wentBack.append(id) }
                    seen[id] = max(seen[id] ?? 0, doc.totalProgress)
                }
                #expect(end.state == .complete, "S\(n): \(end.errorDescription)")
            }
            #expect(wentBack.isEmpty, "progress went down for \(wentBack)")
            let views = try await survivor.instances(cluster: 1)
            for n in 1...20 {
                let view = views.first { $0.name == ha.instance(n) }
                #expect(view?.operationalStatus == .started, "\(ha.instance(n))")
                #expect(view?.pid.map(String.init) == pids[n], "\(ha.instance(n)) started once")
            }
        }
    }

    @Test("a command submitted to one manager is followed to its end from another",
          .enabled(if: TestPostgres.available, "needs PostgreSQL 15"), .timeLimit(.minutes(3)))
    func progressIsVisibleFromEveryManager() async throws {
        try await withHA(managers: 2, services: 3, startupDelayMs: 1500) { ha, _ in
            let reply = try await ha.client(1).service(.start, ha.service(1), onlySelf: true, cluster: 1)
            let id = reply.envelope.id
            // The other manager knows it at once and sees it move, by the database's notices.
            let first = try await ha.client(2).progress(id)
            #expect(first.status == 200)
            let end = try await ha.client(2).wait(for: id, timeout: .seconds(60))
            #expect(end.state == .complete, "\(end.errorDescription)")
            // A second command on the same service, sent to the other manager while the first runs, is refused.
            let again = try await ha.client(1).service(.restart, ha.service(2), onlySelf: true, cluster: 1)
            let busy = try await ha.client(2).service(.stop, ha.service(2), onlySelf: true, cluster: 1)
            #expect(busy.status == 409)
            #expect(busy.envelope.errorCode == ErrorCode.serviceBusy.rawValue)
            #expect(try await ha.client(2).wait(for: again.envelope.id, timeout: .seconds(60)).state == .complete)
        }
    }

    @Test("PostgreSQL killed with SIGKILL and started again during a command: the command completes",
          .enabled(if: TestPostgres.available, "needs PostgreSQL 15"), .timeLimit(.minutes(3)))
    func databaseKilledMidCommand() async throws {
        try await withHA(managers: 1, services: 3, startupDelayMs: 3000) { ha, postgres in
            let reply = try await ha.client(1).service(.start, ha.service(1), onlySelf: true, cluster: 1)
            let id = reply.envelope.id
            let file = ha.pidFile(1)
            _ = try await waitFor("R01's process", timeout: .seconds(60)) { () -> Bool? in
                FileManager.default.fileExists(atPath: file) ? true : nil
            }
            try await postgres.kill9()
            // Without its database the manager answers 503 with the FAILED envelope: no hang, no crash.
            let down = try await ha.client(1).service(.start, ha.service(2), onlySelf: true, cluster: 1)
            #expect(down.status == 503)
            #expect(down.envelope.errorCode == ErrorCode.storeUnavailable.rawValue)
            try await postgres.restart()
            let end = try await ha.client(1).wait(for: id, timeout: .seconds(90))
            #expect(end.state == .complete, "\(end.errorDescription)")
        }
    }
}
