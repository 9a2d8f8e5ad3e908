import Foundation
import StewardAPI
import StewardEngine
@testable import StewardStore
import Testing

/// Two managers on one database, as two store connections (two lease owners)
/// over one file: who drives a command, who may write it, and what passes between them.
@Suite("Leases and mail")
struct LeaseTests {
    /// Opens the fixture's file twice: two processes, two owners.
    func withTwo(_ backend: Backend, _ body: (SQLStore, SQLStore) async throws -> Void) async throws {
        let db = try await described { try await TempDatabase(backend) }
        try await using(try await db.open()) { a in
            try await a.migrate()
            try await using(try await db.open()) { b in
                #expect(a.owner != b.owner)
                try await body(a, b)
            }
        }
    }

    @Test(arguments: Backend.all) func theInserterDrivesAndAnotherTakesOverOnlyOnceTheLeaseHasRunOut(_ backend: Backend) async throws {
        try await withTwo(backend) { a, b in
            var command = try await a.insert(try Fixtures.command(.startService, service: "Gateway", onlySelf: true), saving: [], now: 1_000)
            #expect(try await b.claimCommands(now: 1_000 + Lease.duration - 1).isEmpty, "a live lease is not taken")
            #expect(try await a.renewLeases(now: 2_000) == [command.id])
            #expect(try await b.claimCommands(now: 2_000 + Lease.duration - 1).isEmpty, "renewed")
            let taken = try await b.claimCommands(now: 2_000 + Lease.duration + 1)
            #expect(taken.map(\.id) == [command.id])
            #expect(try await a.renewLeases(now: 9_000).isEmpty, "the old driver has lost it")
            // Its writes are refused; the new driver's go through.
            let change = command.advance(now: 9_000)
            await #expect(throws: LeaseLost.self) { try await a.save(command, change: change) }
            try await b.save(command, change: change)
            #expect(try await b.command(id: command.id)?.steps[0].state == .running)
        }
    }

    @Test(arguments: Backend.all) func aLoneManagerTakesBackEveryUnfinishedCommandAtStart(_ backend: Backend) async throws {
        try await withTwo(backend) { a, b in
            let command = try await a.insert(try Fixtures.command(.startService, service: "Gateway", onlySelf: true), saving: [], now: 1_000)
            #expect(try await b.claimCommands(now: 1_001, fromEveryone: true).map(\.id) == [command.id])
            #expect(try await a.claimCommands(now: 1_002, fromEveryone: false).isEmpty)
        }
    }

    @Test(arguments: Backend.all) func aServiceIsHeldByOneUnfinishedCommandUntilItEnds(_ backend: Backend) async throws {
        try await withTwo(backend) { a, b in
            var first = try await a.insert(try Fixtures.command(.startService, service: "Gateway", onlySelf: true), saving: [], now: 1)
            do {
                _ = try await b.insert(try Fixtures.command(.stopService, service: "Gateway", onlySelf: true), saving: [], now: 2)
                Issue.record("a second command on a held service was stored")
            } catch let error as StewardError {
                #expect(error.code == .serviceBusy)
                #expect(error.message.contains("command \(first.id)"))
            }
            #expect(try await a.commands(CommandFilter()).total == 1, "nothing of the refused one is stored")
            let ended = first.fail(code: .aborted, description: "aborted", now: 3)
            try await a.save(first, change: ended)
            let second = try await b.insert(try Fixtures.command(.stopService, service: "Gateway", onlySelf: true), saving: [], now: 4)
            #expect(second.id > first.id)
        }
    }

    @Test(arguments: Backend.all) func mailIsTakenOnceInOrder(_ backend: Backend) async throws {
        try await withTwo(backend) { a, b in
            let command = try await a.insert(try Fixtures.command(.startService, service: "Coordinator", onlySelf: true), saving: [], now: 1)
            let tasks = command.steps[0].tasks.map { t in
                AgentTask(taskId: t.id, commandId: command.id, instance: t.instance, operation: t.operation,
                          process: ProcessSpec(start: ["true"], check: .process, startTimeoutSeconds: 5, stopTimeoutSeconds: 5), configuration: [:], configFiles: [], configDigest: "d", timeoutSeconds: 5)
            }
            try await a.post(tasks, host: "host-1", now: 2)
            #expect(try await b.takeMail(host: "host-2").isEmpty)
            #expect(try await b.takeMail(host: "host-1").map(\.taskId) == tasks.map(\.taskId))
            #expect(try await a.takeMail(host: "host-1").isEmpty, "taken once")
            // A result for the command, posted to a manager that does not drive it, waits for its driver.
            let report = InstanceReport(service: "Coordinator", role: "CoordinatorServer", status: .started, health: .good,
                                        pid: 7, configDigest: "d", observedAt: 1)
            let result = AgentTaskResult(host: "host-1", taskId: tasks[0].taskId, succeeded: true, detail: "", exitCode: nil,
                                         outputTail: "", instance: report)
            #expect(try await b.deliver(.result(result), now: 3) == command.id)
            #expect(try await b.deliver(.result(result), now: 3) == command.id)
            let kept = try await a.takeInbox(commands: [command.id])
            #expect(kept.map(\.taskId) == [tasks[0].taskId, tasks[0].taskId])
            #expect(try await a.takeInbox(commands: [command.id]).isEmpty)
        }
    }

    @Test(arguments: Backend.all) func anotherManagersLossDoesNotOverwriteAConnectionElsewhere(_ backend: Backend) async throws {
        try await withTwo(backend) { a, b in
            try await a.savePresence(HostPresence(host: "host-1", manager: a.owner, connected: true, seenAt: 1, reports: []))
            try await b.savePresence(HostPresence(host: "host-1", manager: b.owner, connected: true, seenAt: 2, reports: []))
            // host-1's agent moved to b; a's late "lost" must not hide it.
            try await a.savePresence(HostPresence(host: "host-1", manager: a.owner, connected: false, seenAt: 3, reports: []))
            let p = try #require(try await a.presence(host: "host-1"))
            #expect(p.manager == b.owner)
            #expect(p.connected)
        }
    }
}
