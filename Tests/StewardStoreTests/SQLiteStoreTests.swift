import Foundation
import SQLKit
import StewardAPI
import StewardEngine
@testable import StewardStore
import Testing

@Suite("Store (SQLite and PostgreSQL)")
struct SQLiteStoreTests {
    // MARK: migrations

    @Test(arguments: Backend.all) func migrateIsIdempotent(_ backend: Backend) async throws {
        let db = try await TempDatabase(backend)
        try await using(try await db.open()) { store in
            try await store.migrate()
            try await store.migrate()
            #expect(try await store.appliedMigrations() == Migrations.all.map(\.version).sorted())
        }
        // And again on the same file.
        try await using(try await db.open()) { store in
            try await store.migrate()
            #expect(try await store.appliedMigrations() == Migrations.all.map(\.version).sorted())
        }
    }

    // MARK: users

    @Test(arguments: Backend.all) func users(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            #expect(try await store.userCount() == 0)
            #expect(try await store.user(named: "alice") == nil)
            let alice = UserRecord(name: "alice", passwordHash: "$hash$a", role: .admin, mustChangePassword: true, createdAt: 10)
            let bob = UserRecord(name: "bob", passwordHash: "$hash$b", role: .viewer, mustChangePassword: false, createdAt: 20)
            try await store.insertUser(alice)
            try await store.insertUser(bob)
            #expect(try await store.userCount() == 2)
            #expect(try await store.user(named: "alice") == alice)
            #expect(try await store.user(named: "bob") == bob)
            #expect(try await store.user(named: "carol") == nil)
            #expect(try await store.user(named: "ALICE") == nil)
            // A name is unique; a failed insert changes nothing.
            await #expect(throws: (any Error).self) {
                try await store.insertUser(UserRecord(name: "alice", passwordHash: "x", role: .viewer, mustChangePassword: false, createdAt: 30))
            }
            #expect(try await store.userCount() == 2)
            #expect(try await store.user(named: "alice") == alice)
        }
    }

    // MARK: clusters and configuration

    @Test(arguments: Backend.all) func clustersAndConfigurationRoundTrip(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let stack = try Fixtures.demo()
            #expect(try await store.clusters().isEmpty)
            try await store.createCluster(id: 1, name: "demo", description: "Demo cluster", stack: stack,
                                          values: Fixtures.values, now: 1234)
            let expected = ClusterRecord(id: 1, name: "demo", description: "Demo cluster", stackName: "demo",
                                         stackVersion: "1.0", createdAt: 1234)
            #expect(try await store.cluster(id: 1) == expected)
            #expect(try await store.cluster(id: 2) == nil)
            #expect(try await store.clusters() == [expected])
            let stored = try await store.configValues(clusterId: 1)
            #expect(stored.count == Fixtures.values.count)
            #expect(Set(stored) == Set(Fixtures.values))
            #expect(try await store.configValues(clusterId: 2).isEmpty)

            let other = [ConfigValue(scope: .service("Coordinator"), name: "log_level", value: "ERROR")]
            try await store.createCluster(id: 2, name: "second", description: "", stack: stack, values: other, now: 99)
            #expect(try await store.clusters().map(\.id) == [1, 2])
            #expect(try await store.configValues(clusterId: 2) == other)
            #expect(Set(try await store.configValues(clusterId: 1)) == Set(Fixtures.values))
        }
    }

    @Test(arguments: Backend.all) func createClusterIsAtomic(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let stack = try Fixtures.demo()
            try await store.createCluster(id: 1, name: "demo", description: "", stack: stack, values: Fixtures.values, now: 1)
            await #expect(throws: (any Error).self) {
                try await store.createCluster(id: 1, name: "again", description: "", stack: stack,
                                              values: [ConfigValue(scope: .service("Gateway"), name: "max_connections", value: "9")],
                                              now: 2)
            }
            #expect(try await store.clusters().map(\.name) == ["demo"])
            #expect(Set(try await store.configValues(clusterId: 1)) == Set(Fixtures.values))
        }
    }

    @Test(arguments: Backend.all) func aFailedTransactionLeavesNothing(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let demo = try Fixtures.demo()
            // The cluster row goes in, then the second host violates the hosts key: all of it must go.
            let broken = Stack(name: demo.name, version: demo.version, description: demo.description, services: demo.services,
                               cluster: ClusterLayout(id: 5, name: "broken", description: "", hosts: ["host-1", "host-1"]))
            await #expect(throws: (any Error).self) {
                try await store.createCluster(id: 5, name: "broken", description: "", stack: broken, values: Fixtures.values, now: 1)
            }
            #expect(try await store.cluster(id: 5) == nil)
            #expect(try await store.clusters().isEmpty)
            #expect(try await store.configValues(clusterId: 5).isEmpty)
            // The store is usable afterwards.
            try await store.createCluster(id: 5, name: "fixed", description: "", stack: demo, values: [], now: 2)
            #expect(try await store.clusters().map(\.name) == ["fixed"])
        }
    }

    @Test(arguments: Backend.all) func insertingACommandUpsertsItsValues(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await store.createCluster(id: 1, name: "demo", description: "", stack: try Fixtures.demo(),
                                          values: Fixtures.values, now: 1)
            let changes = [
                ConfigValue(scope: .service("Coordinator"), name: "log_level", value: "DEBUG"),          // overwrites
                ConfigValue(scope: .instance(Fixtures.coordinator2), name: "port", value: "22002"),      // overwrites
                ConfigValue(scope: .role(service: "Storage", role: "StorageNode"), name: "port", value: "23000"), // new
            ]
            let command = try await store.insert(Fixtures.saveCommand(), saving: changes, now: 5)
            #expect(command.id > 0)
            let stored = try await store.configValues(clusterId: 1)
            #expect(stored.count == Fixtures.values.count + 1)
            var expected = Set(Fixtures.values.filter { v in !changes.contains { $0.scope == v.scope && $0.name == v.name } })
            expected.formUnion(changes)
            #expect(Set(stored) == expected)
            let config = Configuration(stored)
            #expect(config.value("log_level", at: .service("Coordinator")) == "DEBUG")
            #expect(config.value("port", at: .instance(Fixtures.coordinator2)) == "22002")
        }
    }

    // MARK: commands

    @Test(arguments: Backend.all) func insertAssignsIDs(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            // Two services, each held by its own command.
            let draft = try Fixtures.command(.restartService, service: "Storage", onlySelf: true)
            #expect(draft.id == 0)
            let first = try await store.insert(draft, saving: [], now: 1)
            let second = try await store.insert(try Fixtures.command(.startService, service: "Gateway", onlySelf: true), saving: [], now: 2)
            #expect(first.id > 0)
            #expect(second.id > first.id)
            let firstTasks = first.steps.flatMap(\.tasks).map(\.id)
            let secondTasks = second.steps.flatMap(\.tasks).map(\.id)
            #expect(firstTasks.allSatisfy { $0 > 0 })
            #expect(Set(firstTasks + secondTasks).count == firstTasks.count + secondTasks.count)
            #expect(firstTasks == firstTasks.sorted())
            #expect(secondTasks.min()! > firstTasks.max()!)
            // Only the ids changed.
            var unnumbered = first
            unnumbered.id = 0
            for s in unnumbered.steps.indices {
                for t in unnumbered.steps[s].tasks.indices { unnumbered.steps[s].tasks[t].id = 0 }
            }
            #expect(unnumbered == draft)
            #expect(try await store.command(id: first.id) == first)
            #expect(try await store.command(id: second.id) == second)
            #expect(try await store.command(id: second.id + 100) == nil)
        }
    }

    @Test(arguments: Backend.all) func idsAreNeverReused(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let first = try await store.insert(try Fixtures.command(.startService, service: "Gateway"), saving: [], now: 1)
            let maxTask = try #require(first.steps.flatMap(\.tasks).map(\.id).max())
            // Remove the newest command; its ids must still not come back.
            try await store.transaction { db in
                try await db.raw("DELETE FROM tasks WHERE command_id = \(bind: first.id)").run()
                try await db.raw("DELETE FROM steps WHERE command_id = \(bind: first.id)").run()
                try await db.raw("DELETE FROM commands WHERE id = \(bind: first.id)").run()
                try await db.raw("DELETE FROM service_locks WHERE command_id = \(bind: first.id)").run()
            }
            #expect(try await store.command(id: first.id) == nil)
            let next = try await store.insert(try Fixtures.command(.startService, service: "Gateway"), saving: [], now: 2)
            #expect(next.id > first.id)
            #expect(next.steps.flatMap(\.tasks).allSatisfy { $0.id > maxTask })
        }
    }

    @Test(arguments: Backend.all) func savePersistsEveryTransition(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            var command = try await store.insert(try Fixtures.command(.startService, service: "Storage"), saving: [], now: 1)
            // Coordinator (3 tasks), StorageMaster (1), StorageNode (3).
            var now: Millis = 10
            func transition(_ change: CommandChange) async throws {
                #expect(!change.isEmpty)
                try await store.save(command, change: change)
                #expect(try await store.command(id: command.id) == command)
            }
            try await transition(command.advance(now: now))
            #expect(command.steps[0].state == .running)
            var outcomes = [TaskOutcome(succeeded: true, exitCode: 0, outputTail: "started"),
                            TaskOutcome(succeeded: true), TaskOutcome(succeeded: true),
                            TaskOutcome(succeeded: true)]
            while !outcomes.isEmpty, let id = command.runningTasks.first?.id {
                now += 1
                try await transition(command.complete(taskID: id, outcome: outcomes.removeFirst(), now: now))
            }
            #expect(command.steps.map(\.state) == [.succeeded, .succeeded, .running])
            let node = command.runningTasks.map(\.id)
            #expect(node.count == 3)
            try await transition(command.complete(taskID: node[1], outcome: TaskOutcome(
                succeeded: false, errorCode: .taskFailed, detail: "port 21212 is already in use", exitCode: -9,
                outputTail: "line 1\nline 2 'quoted'"), now: 20))
            try await transition(command.complete(taskID: node[0], outcome: TaskOutcome(succeeded: true), now: 21))
            try await transition(command.complete(taskID: node[2], outcome: .failure(.taskTimedOut, "slow"), now: 22))

            #expect(command.state == .failed)
            let loaded = try #require(try await store.command(id: command.id))
            #expect(loaded == command)
            #expect(loaded.state == .failed)
            #expect(loaded.errorCode == .taskFailed)
            #expect(loaded.errorDescription.contains("StorageNode@host-2 (port 21212 is already in use)"))
            #expect(loaded.progress == command.progress)
            #expect(loaded.endedAt == 22)
            let failed = try #require(loaded.task(id: node[1]))
            #expect(failed.state == .failed)
            #expect(failed.exitCode == -9)
            #expect(failed.outputTail == "line 1\nline 2 'quoted'")
            #expect(failed.detail == "port 21212 is already in use")
            // StorageNode started when StorageMaster's task ended, at 14.
            #expect(failed.startedAt == 14 && failed.endedAt == 20)
            #expect(loaded.task(id: node[2])?.errorCode == .taskTimedOut)
            #expect(loaded.steps[2].state == .failed)
            #expect(loaded.steps[2].endedAt == 22)
        }
    }

    @Test(arguments: Backend.all) func saveWritesOnlyWhatTheChangeNames(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let inserted = try await store.insert(try Fixtures.command(.stopService, service: "Gateway"), saving: [], now: 1)
            var command = inserted
            _ = command.advance(now: 5)
            try await store.save(command, change: CommandChange())
            let loaded = try #require(try await store.command(id: command.id))
            // The command row is written; steps and tasks not named by the change are not.
            #expect(loaded.progress == command.progress)
            #expect(loaded.progress > 0)
            #expect(loaded.steps == inserted.steps)
        }
    }

    @Test(arguments: Backend.all) func unfinishedCommandsAreTheRunningOnes(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            var complete = try await store.insert(Fixtures.saveCommand(), saving: [], now: 1)
            let completed = complete.advance(now: 2)
            try await store.save(complete, change: completed)
            #expect(complete.state == .complete)

            // Unfinished commands hold their services: each of these has its own.
            var running = try await store.insert(try Fixtures.command(.startService, service: "Gateway", onlySelf: true), saving: [], now: 3)
            let started = running.advance(now: 4)
            try await store.save(running, change: started)

            var failed = try await store.insert(try Fixtures.command(.stopService, service: "Storage", onlySelf: true), saving: [], now: 5)
            _ = failed.advance(now: 6)
            let aborted = failed.fail(code: .aborted, description: "aborted", now: 7)
            try await store.save(failed, change: aborted)

            let pending = try await store.insert(try Fixtures.command(.restartService, service: "Coordinator", onlySelf: true), saving: [], now: 8)

            let unfinished = try await store.unfinishedCommands()
            #expect(unfinished.map(\.id) == [running.id, pending.id])
            #expect(unfinished == [running, pending])
            // The finished ones are stored as they ended.
            #expect(try await store.command(id: complete.id) == complete)
            #expect(try await store.command(id: complete.id)?.services == [])
            #expect(try await store.command(id: failed.id) == failed)
        }
    }

    // MARK: durability

    @Test(arguments: Backend.all) func dataSurvivesCloseAndReopen(_ backend: Backend) async throws {
        let db = try await TempDatabase(backend)
        let user = UserRecord(name: "admin", passwordHash: "$h$", role: .admin, mustChangePassword: true, createdAt: 1)
        let stack = try Fixtures.demo()
        var command = try Fixtures.command(.restartService, service: "Coordinator")

        try await using(try await db.open()) { store in
            try await store.migrate()
            try await store.insertUser(user)
            try await store.createCluster(id: 1, name: "demo", description: "d", stack: stack, values: Fixtures.values, now: 2)
            command = try await store.insert(command, saving: [], now: 3)
            let started = command.advance(now: 4)
            try await store.save(command, change: started)
            let firstTask = try #require(command.runningTasks.first?.id)
            let completed = command.complete(taskID: firstTask, outcome: TaskOutcome(succeeded: true), now: 5)
            try await store.save(command, change: completed)
        }

        let expected = command
        try await using(try await db.open()) { reopened in
            try await reopened.migrate()
            #expect(try await reopened.appliedMigrations() == Migrations.all.map(\.version).sorted())
            #expect(try await reopened.user(named: "admin") == user)
            #expect(try await reopened.userCount() == 1)
            #expect(try await reopened.clusters().map(\.id) == [1])
            #expect(Set(try await reopened.configValues(clusterId: 1)) == Set(Fixtures.values))
            #expect(try await reopened.command(id: expected.id) == expected)
            #expect(try await reopened.unfinishedCommands() == [expected])
            let next = try await reopened.insert(Fixtures.saveCommand(), saving: [], now: 6)
            #expect(next.id > expected.id)
        }
    }
}

@Suite("Users and audit")
struct AccessStoreTests {
    @Test(arguments: Backend.all) func userUpdatesAndDeletes(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await store.insertUser(UserRecord(name: "ann", passwordHash: "h1", role: .viewer, mustChangePassword: true, createdAt: 1))
            #expect(try await store.updateUser("ann", passwordHash: "h2", role: .operator, mustChangePassword: false))
            let ann = try #require(try await store.user(named: "ann"))
            #expect(ann.passwordHash == "h2")
            #expect(ann.role == .operator)
            #expect(ann.mustChangePassword == false)
            #expect(try await store.updateUser("nobody", passwordHash: nil, role: .admin, mustChangePassword: nil) == false)
            #expect(try await store.users().map(\.name) == ["ann"])
            #expect(try await store.deleteUser("ann"))
            #expect(try await store.deleteUser("ann") == false)
            #expect(try await store.userCount() == 0)
        }
    }

    @Test(arguments: Backend.all) func auditFiltersNewestFirst(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            for (i, user) in ["ann", "bob", "ann"].enumerated() {
                try await store.appendAudit(AuditEntry(at: Int64(100 + i), user: user, source: "127.0.0.1", action: "LOGIN",
                                                       target: "cas", result: i == 1 ? .failure : .success,
                                                       httpStatus: 200, errorCode: 0, commandId: i == 2 ? 7 : nil))
            }
            var q = AuditFilter()
            #expect(try await store.audit(q).map(\.at) == [102, 101, 100])
            q.user = "ann"
            #expect(try await store.audit(q).map(\.at) == [102, 100])
            q.result = .success
            q.from = 101
            let last = try await store.audit(q)
            #expect(last.map(\.at) == [102])
            #expect(last.first?.commandId == 7)
            var page = AuditFilter()
            page.limit = 1
            page.offset = 1
            #expect(try await store.audit(page).map(\.at) == [101])
        }
    }
}
