import Foundation
import Logging
import StewardAPI
import StewardSystem
import Testing
@testable import StewardAgent

/// The agent's kept tasks: a task delivered again is never run twice, its
/// result is sent until a manager accepts it, and all of it survives the
/// agent's restart (a new ledger on the same file).
@Suite struct TaskLedgerTests {
    let directory = NSTemporaryDirectory() + "steward-ledger-\(UUID().uuidString)"
    var path: String { directory + "/tasks.journal" }
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func makeLedger(capacity: Int = 4096) -> TaskLedger { TaskLedger(path: path, capacity: capacity, logger: logger) }

    @Test("a new task runs; delivered again while it runs it is only acknowledged; once ended its result is sent again")
    func repeats() {
        let ledger = makeLedger()
        #expect(ledger.receive(task(1)) == .run)
        #expect(ledger.receive(task(1)) == .running)
        #expect(ledger.unsent().isEmpty)
        ledger.finish(result(1, "done"))
        #expect(ledger.unsent().map(\.result.detail) == ["done"])
        ledger.accepted(1, seq: ledger.unsent()[0].seq)
        #expect(ledger.unsent().isEmpty)
        #expect(ledger.receive(task(1)) == .ended)
        #expect(ledger.unsent().map(\.result.taskId) == [1], "the new driver needs the result")
        #expect(ledger.receive(task(2)) == .run)
    }

    @Test("results wait in the order their tasks ended, each until accepted")
    func order() {
        let ledger = makeLedger()
        for id in [3, 1, 2] as [Int64] { _ = ledger.receive(task(id)) }
        ledger.finish(result(2, "b"))
        ledger.finish(result(3, "c"))
        ledger.finish(result(1, "a"))
        #expect(ledger.unsent().map(\.result.taskId) == [2, 3, 1])
        let first = ledger.unsent()[0]
        ledger.accepted(first.result.taskId, seq: first.seq)
        #expect(ledger.unsent().map(\.result.taskId) == [3, 1])
    }

    @Test("a result asked for again while it was being sent is sent again: the older acceptance does not cover it")
    func resendDuringSend() {
        let ledger = makeLedger()
        _ = ledger.receive(task(1))
        ledger.finish(result(1, "done"))
        let sending = ledger.unsent()[0]
        #expect(ledger.receive(task(1)) == .ended)
        ledger.accepted(1, seq: sending.seq)
        #expect(ledger.unsent().map(\.result.taskId) == [1])
    }

    @Test("kept across a restart: ended tasks keep their result, unsent results stay unsent, a running task is interrupted")
    func restart() throws {
        do {
            let before = makeLedger()
            _ = before.receive(task(1))
            _ = before.receive(task(2))
            _ = before.receive(task(3))
            before.finish(result(1, "one"))
            before.finish(result(2, "two"))
            accept(1, in: before)
        }
        #expect(SecretFile.mode(of: path) == 0o600)
        let after = makeLedger()
        #expect(after.receive(task(1)) == .ended)
        #expect(after.unsent().map(\.result.taskId) == [2, 1], "2 was never accepted; 1 was asked for again")
        #expect(after.receive(task(3)) == .interrupted, "its process ended with the previous agent: not run twice")
        #expect(after.receive(task(4)) == .run)
    }

    @Test("a line cut short by a crash is skipped; the lines before it count")
    func tornLine() throws {
        do {
            let before = makeLedger()
            _ = before.receive(task(1))
            before.finish(result(1, "one"))
        }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"id":2,"state":"runn"#.utf8))
        try handle.close()
        let after = makeLedger()
        #expect(after.receive(task(1)) == .ended)
        #expect(after.receive(task(2)) == .run)
        #expect(after.count == 2)
    }

    @Test("bounded: the oldest settled tasks are forgotten first; a running task or an unsent result never is")
    func bounded() {
        let ledger = makeLedger(capacity: 3)
        for id in 1...3 as ClosedRange<Int64> { _ = ledger.receive(task(id)) }
        ledger.finish(result(2, "two"))
        accept(2, in: ledger)
        _ = ledger.receive(task(4))
        #expect(ledger.entry(2) == nil, "settled and oldest of the settled")
        #expect(ledger.count == 3)
        _ = ledger.receive(task(5))
        #expect(ledger.count == 4, "nothing settled to forget: kept over the bound rather than lose a running task")
        if case .running? = ledger.entry(1) {} else { Issue.record("task 1 runs and must be kept") }
        #expect(makeLedger(capacity: 3).receive(task(2)) == .run, "forgotten on disk too")
    }

    @Test("the journal is rewritten once it has grown, and says the same after")
    func compaction() {
        let ledger = makeLedger(capacity: 4)
        for round in 0..<30 {
            let id = Int64(round % 3)
            if ledger.receive(task(id)) == .run { ledger.finish(result(id, "r\(round)")) }
            for (result, seq) in ledger.unsent() { ledger.accepted(result.taskId, seq: seq) }
        }
        let lines = (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").count ?? 0
        #expect(lines <= 2 * 4 + 3 + 1)
        let after = makeLedger(capacity: 4)
        #expect(after.count == 3)
        #expect(after.unsent().isEmpty)
        for id in 0..<3 as Range<Int64> { #expect(after.receive(task(id)) == .ended) }
    }

    private func accept(_ id: Int64, in ledger: TaskLedger) {
        for (result, seq) in ledger.unsent() where result.taskId == id { ledger.accepted(id, seq: seq) }
    }

    private func task(_ id: Int64) -> AgentTask {
        AgentTask(taskId: id, commandId: 1, instance: InstanceRef(service: "S", role: "R", host: "h"), operation: .start,
                  process: ProcessSpec(start: ["true"], check: .process, startTimeoutSeconds: 1, stopTimeoutSeconds: 1),
                  configuration: [:], configFiles: [], configDigest: "d", timeoutSeconds: 1)
    }

    private func result(_ id: Int64, _ detail: String) -> AgentTaskResult {
        AgentTaskResult(host: "h", taskId: id, succeeded: true, detail: detail, exitCode: nil, outputTail: "out",
                        instance: InstanceReport(service: "S", role: "R", status: .started, health: .good, pid: 42,
                                                 configDigest: "d", observedAt: 1))
    }
}
