import Foundation
import Hummingbird
import NIOCore
import StewardAPI
import Synchronization

/// A manager's `/agent/v1` played by a test, on loopback: it hands out the
/// tasks the test gives it (once, or with every poll however they were
/// acknowledged, as a manager taking a command over would hand them again),
/// records what the agent says, and can answer 503 as a manager that lost
/// its database does. Several of them make an agent's list of managers.
final class FakeManager: Sendable {
    struct State {
        var tasks: [AgentTask] = []
        /// Every poll hands out `tasks` again, whatever it acknowledged.
        var repeatTasks = false
        /// Results are answered 503.
        var refuseResults = false
        /// Everything is answered 503.
        var down = false
        /// The incarnation of each registration, in order.
        var registrations: [String] = []
        var results: [AgentTaskResult] = []
        var outputs: [AgentTaskOutput] = []
        /// Every task id a poll acknowledged.
        var acknowledged: [Int64] = []
    }

    let state = Mutex(State())
    private let address = Mutex("")
    private let server = Mutex<Task<Void, any Error>?>(nil)
    /// http://127.0.0.1:PORT
    var url: String { address.withLock { $0 } }

    static func start() async throws -> FakeManager {
        let manager = FakeManager()
        let router = Router()
        manager.addRoutes(router)
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portSink.yield(channel.localAddress?.port ?? 0) })
        manager.server.withLock { $0 = Task { try await app.runService(gracefulShutdownSignals: []) } }
        for await port in ports {
            manager.address.withLock { $0 = "http://127.0.0.1:\(port)" }
            break
        }
        return manager
    }

    func stop() async {
        guard let server = server.withLock({ $0 }) else { return }
        server.cancel()
        _ = await server.result
    }

    func update(_ change: (inout State) -> Void) { state.withLock { change(&$0) } }
    var snapshot: State { state.withLock { $0 } }

    private func addRoutes(_ router: Router<BasicRequestContext>) {
        let welcome = AgentWelcome(heartbeatIntervalMs: 200, pollTimeoutMs: 300, metricsIntervalMs: 60_000)
        router.post("/agent/v1/register") { request, context in
            let hello = try await request.decode(as: AgentHello.self, context: context)
            return self.answer { $0.registrations.append(hello.incarnation ?? "") ; return welcome }
        }
        router.post("/agent/v1/poll") { request, context in
            let poll = try await request.decode(as: AgentPoll.self, context: context)
            let work = self.state.withLock { state -> AgentWork? in
                guard !state.down else { return nil }
                state.acknowledged += poll.received
                let work = AgentWork(tasks: state.tasks)
                if !state.repeatTasks { state.tasks = [] }
                return work
            }
            guard let work else { return Self.unavailable() }
            // A short long poll: nothing to hand out waits a little, as a manager's would.
            if work.tasks.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
            return Self.envelope(work)
        }
        router.post("/agent/v1/result") { request, context in
            let result = try await request.decode(as: AgentTaskResult.self, context: context)
            return self.answer(refusing: \.refuseResults) { $0.results.append(result); return NoResult() }
        }
        router.post("/agent/v1/output") { request, context in
            let output = try await request.decode(as: AgentTaskOutput.self, context: context)
            return self.answer { $0.outputs.append(output); return NoResult() }
        }
        router.post("/agent/v1/heartbeat") { request, context in
            _ = try await request.decode(as: AgentHeartbeat.self, context: context)
            return self.answer { _ in NoResult() }
        }
    }

    private func answer<Body: Codable & Sendable>(refusing: KeyPath<State, Bool>? = nil,
                                                  _ record: (inout State) -> Body) -> Response {
        let body = state.withLock { state -> Body? in
            if state.down || refusing.map({ state[keyPath: $0] }) == true { return nil }
            return record(&state)
        }
        return body.map(Self.envelope) ?? Self.unavailable()
    }

    private static func envelope<Body: Codable & Sendable>(_ body: Body) -> Response {
        let data = (try? JSONEncoder().encode(Envelope(resObj: body))) ?? Data()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private static func unavailable() -> Response {
        let data = (try? JSONEncoder().encode(Envelope<NoResult>(state: .failed, errorCode: 19002, errorDescription: "store unavailable"))) ?? Data()
        return Response(status: .serviceUnavailable, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
