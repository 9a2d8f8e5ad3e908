import Foundation
import Logging
import NIOConcurrencyHelpers
@testable import StewardManager
import StewardAPI
import StewardEngine
import Testing

/// The command center as `FailureRestarts` sees it: services a test holds,
/// and the restarts it was asked for.
actor FakeSubmitter: RestartSubmitter {
    var busy: Set<String> = []
    private(set) var submitted: [(InstanceRef, Int)] = []

    private(set) var givenUp: [String] = []
    func recordGiveUp(_ text: String) { givenUp.append(text) }
    func hold(_ service: String) { busy.insert(service) }
    func free(_ service: String) { busy.remove(service) }
    func runningCommand(for service: String) -> Int64? { busy.contains(service) ? 99 : nil }
    func submitRestart(_ instance: InstanceRef, attempt: Int) throws -> Command {
        guard !busy.contains(instance.service) else { throw StewardError(.serviceBusy) }
        submitted.append((instance, attempt))
        return FailureRestartsTests.restartCommand(instance)
    }
    var attempts: [Int] { submitted.map(\.1) }
}

@Suite("Restart on failure: the manager's side")
struct FailureRestartsTests {
    static let host = "host-1"
    static let peer = InstanceRef(service: "ZooKeeper", role: "QuorumPeer", host: host)
    static let plain = InstanceRef(service: "ZooKeeper", role: "Observer", host: host)

    static func stack(maxRestarts: Int = 2) -> Stack {
        let process = ProcessSpec(start: ["run"], check: .process, startTimeoutSeconds: 5, stopTimeoutSeconds: 5)
        let policy = RestartPolicy(initialBackoffSeconds: 0, maxBackoffSeconds: 0, maxRestarts: maxRestarts, resetAfterSeconds: 300)
        return Stack(name: "t", version: "1", description: "", services: [
            ServiceDefinition(name: "ZooKeeper", description: "", version: "1", dependsOn: [], configurations: [], roles: [
                RoleDefinition(name: "QuorumPeer", description: "", hosts: [host], process: process, configurations: [],
                               instanceDefaults: [:], configFiles: [], restartOnFailure: policy),
                RoleDefinition(name: "Observer", description: "", hosts: [host], process: process, configurations: [],
                               instanceDefaults: [:], configFiles: []),
            ]),
        ], cluster: ClusterLayout(id: 1, name: "t", description: "", hosts: [host]))
    }

    static func restartCommand(_ instance: InstanceRef) -> Command {
        var task = CommandTask(id: 1, instance: instance, operation: .start)
        task.state = .failed
        return Command(kind: .restartInstance, clusterId: 1, target: "\(instance)", user: "system", services: [instance.service],
                       steps: [Step(index: 0, name: "Start", description: "", tasks: [task])], createdAt: 0)
    }

    static func operatorCommand(_ op: StewardAPI.Operation, _ instance: InstanceRef = peer) -> Command {
        var task = CommandTask(id: 1, instance: instance, operation: op)
        task.state = .succeeded
        return Command(kind: op == .start ? .startService : .stopService, clusterId: 1, target: instance.service, user: "admin",
                       services: [instance.service], steps: [Step(index: 0, name: "x", description: "", tasks: [task])], createdAt: 0)
    }

    /// Reports are stamped in the order a test makes them, as an agent's are.
    static let time = NIOLockedValueBox<Int64>(1_000)

    static func report(_ status: InstanceStatus, _ health: HealthStatus = .unknown, of instance: InstanceRef = peer) -> [InstanceReport] {
        let observedAt = time.withLockedValue { $0 += 1; return $0 }
        return [InstanceReport(service: instance.service, role: instance.role, status: status, health: health,
                               pid: status == .started ? 42 : nil, configDigest: nil, observedAt: observedAt)]
    }

    func restarts(_ submitter: FakeSubmitter, running: [InstanceRef: StewardAPI.Operation] = [peer: .start],
                  maxRestarts: Int = 2) -> (FailureRestarts, ManualClock) {
        let clock = ManualClock()
        let restarts = FailureRestarts(stack: Self.stack(maxRestarts: maxRestarts), clock: clock,
                                       logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }) { instance, why in
            await submitter.recordGiveUp("\(instance): \(why)")
        }
        restarts.connect(submitter, lastOperations: running)
        return (restarts, clock)
    }

    func submissions(_ submitter: FakeSubmitter, count: Int) async throws -> [Int] {
        for _ in 0..<2000 {
            let attempts = await submitter.attempts
            if attempts.count >= count { return attempts }
            try await Task.sleep(for: .milliseconds(5))
        }
        return await submitter.attempts
    }

    @Test func aStoppedInstanceThatShouldRunIsRestartedOncePerFailure() async throws {
        let submitter = FakeSubmitter()
        let (restarts, _) = restarts(submitter)
        await restarts.observe(Self.report(.stopped), host: Self.host)
        #expect(try await submissions(submitter, count: 1) == [1])
        // Every heartbeat repeats the stopped report: while the restart is pending, none is added.
        await restarts.observe(Self.report(.stopped), host: Self.host)
        #expect(restarts.isPending(Self.peer))
        // The restart ended (say its start failed): the next report is the next attempt.
        restarts.commandEnded(Self.restartCommand(Self.peer))
        #expect(!restarts.isPending(Self.peer))
        await restarts.observe(Self.report(.stopped), host: Self.host)
        #expect(try await submissions(submitter, count: 2) == [1, 2])
    }

    @Test func unhealthyCountsAsFailedHealthyAndUnknownDoNot() async throws {
        let submitter = FakeSubmitter()
        let (restarts, _) = restarts(submitter)
        await restarts.observe(Self.report(.started, .good), host: Self.host)
        await restarts.observe(Self.report(.started, .unknown), host: Self.host)
        await restarts.observe(Self.report(.unknown), host: Self.host)
        #expect(!restarts.isPending(Self.peer))
        await restarts.observe(Self.report(.started, .bad), host: Self.host)
        #expect(try await submissions(submitter, count: 1) == [1])
    }

    @Test func anOlderReportArrivingLateIsIgnored() async throws {
        let submitter = FakeSubmitter()
        let (restarts, _) = restarts(submitter)
        let old = Self.report(.stopped)
        await restarts.observe(Self.report(.started, .good), host: Self.host)
        await restarts.observe(old, host: Self.host)
        #expect(!restarts.isPending(Self.peer))
    }

    @Test func onlyWhatShouldRunAndHasAPolicyIsRestarted() async throws {
        let submitter = FakeSubmitter()
        // Never started by an operator; and a role without restart_on_failure.
        let (restarts, _) = restarts(submitter, running: [Self.plain: .start, Self.peer: .stop])
        await restarts.observe(Self.report(.stopped) + Self.report(.stopped, of: Self.plain), host: Self.host)
        #expect(!restarts.isPending(Self.peer) && !restarts.isPending(Self.plain))
        #expect(restarts.wanted == [Self.plain])
    }

    @Test func anOperatorsStopClearsTheWishAndAStartSetsIt() async throws {
        let submitter = FakeSubmitter()
        let (restarts, _) = restarts(submitter)
        restarts.commandEnded(Self.operatorCommand(.stop))
        await restarts.observe(Self.report(.stopped), host: Self.host)
        #expect(!restarts.isPending(Self.peer), "a stop by an operator is not a failure")
        restarts.commandEnded(Self.operatorCommand(.start))
        await restarts.observe(Self.report(.stopped), host: Self.host)
        #expect(try await submissions(submitter, count: 1) == [1])
    }

    @Test func whileACommandHoldsTheServiceReportsAreNotActedOn() async throws {
        let submitter = FakeSubmitter()
        let (restarts, _) = restarts(submitter)
        await submitter.hold("ZooKeeper")
        await restarts.observe(Self.report(.stopped), host: Self.host)
        #expect(!restarts.isPending(Self.peer), "an operator's command may be what stopped it")
        await submitter.free("ZooKeeper")
        await restarts.observe(Self.report(.stopped), host: Self.host)
        #expect(try await submissions(submitter, count: 1) == [1], "counted once: the held report was no attempt")
    }

    @Test func pastMaxRestartsItGivesUpUntilAnOperatorActs() async throws {
        let submitter = FakeSubmitter()
        let (restarts, clock) = restarts(submitter, maxRestarts: 2)
        for attempt in 1...2 {
            await restarts.observe(Self.report(.stopped), host: Self.host)
            #expect(try await submissions(submitter, count: attempt).count == attempt)
            restarts.commandEnded(Self.restartCommand(Self.peer))
            clock.advance(seconds: 10)
        }
        await restarts.observe(Self.report(.stopped), host: Self.host)
        let reason = try #require(restarts.givenUp(Self.peer))
        #expect(reason.contains("2 restarts within 300 s"))
        // Recorded for operators (the manager writes it to the audit log), once.
        for _ in 0..<2000 where await submitter.givenUp.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        #expect(await submitter.givenUp == ["QuorumPeer@host-1: stopped; not restarted again: 2 restarts within 300 s (max_restarts 2)"])
        #expect(!restarts.isPending(Self.peer))
        await restarts.observe(Self.report(.stopped), host: Self.host)
        #expect(await submitter.attempts == [1, 2])
        // The operator starts it again: the give-up is forgotten, though the window still counts.
        restarts.commandEnded(Self.operatorCommand(.start))
        #expect(restarts.givenUp(Self.peer) == nil)
        clock.advance(seconds: 300)
        await restarts.observe(Self.report(.stopped), host: Self.host)
        #expect(try await submissions(submitter, count: 3) == [1, 2, 1])
    }
}
