import Foundation
import Hummingbird
import StewardEngine
import StewardStore

/// `/agent/v1`: the endpoints agents dial out to. Authenticated by the
/// cluster's agent token (a bearer token, compared in constant time).
struct AgentTokenMiddleware: RouterMiddleware {
    typealias Context = StewardRequestContext
    let token: String
    let auditor: Auditor

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let header = request.headers[.authorization] ?? ""
        let presented = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
        guard PasswordHasher.constantTimeEqual(Data(presented.utf8), Data(token.utf8)) else {
            // A wrong join token is an intrusion attempt or a misconfigured host: both worth a record.
            await auditor.record(user: "", source: context.remoteAddress, action: "AGENT_JOIN", target: request.uri.path,
                                 result: .failure, status: 401, code: .agentUnauthenticated)
            return JSONBody.failure(StewardError(.agentUnauthenticated))
        }
        return try await next(request, context)
    }
}

extension Manager {
    func addAgentRoutes(to router: Router<StewardRequestContext>) {
        let group = router.group("/agent/v1").add(middleware: AgentTokenMiddleware(token: agentToken, auditor: auditor))
        let limit = options.maxBodyBytes

        group.post("register") { request, _ -> Response in
            let hello = try await JSONBody.decode(AgentHello.self, from: request, limit: limit)
            try await self.requireHost(hello.host)
            await self.hub.seen(hello.host, version: hello.agentVersion, now: WallClock.nowMillis())
            await self.cluster.record(hello.instances, host: hello.host)
            let lost = await self.hub.register(hello.host, incarnation: hello.incarnation)
            if !lost.isEmpty {
                self.logger.warning("agent restarted: the tasks its previous process held fail",
                                    metadata: ["host": "\(hello.host)", "tasks": "\(lost.sorted())"])
                await self.center.agentRestarted(hello.host, tasks: lost)
            }
            self.logger.info("agent registered", metadata: ["host": "\(hello.host)", "version": "\(hello.agentVersion)"])
            return JSONBody.ok(AgentWelcome(heartbeatIntervalMs: self.options.heartbeatIntervalMs,
                                            pollTimeoutMs: self.options.pollTimeoutMs,
                                            metricsIntervalMs: self.options.metricsIntervalMs))
        }

        group.post("poll") { request, _ -> Response in
            let poll = try await JSONBody.decode(AgentPoll.self, from: request, limit: limit)
            try await self.requireHost(poll.host)
            await self.hub.seen(poll.host, now: WallClock.nowMillis())
            let work = await self.hub.poll(host: poll.host, received: poll.received, timeoutMs: self.options.pollTimeoutMs)
            return JSONBody.ok(work)
        }

        group.post("result") { request, _ -> Response in
            let result = try await JSONBody.decode(AgentTaskResult.self, from: request, limit: limit)
            try await self.requireHost(result.host)
            await self.hub.seen(result.host, now: WallClock.nowMillis())
            await self.center.handle(result)
            return JSONBody.ok(NoResult())
        }

        group.post("output") { request, _ -> Response in
            let output = try await JSONBody.decode(AgentTaskOutput.self, from: request, limit: limit)
            try await self.requireHost(output.host)
            await self.center.recordOutput(output)
            return JSONBody.ok(NoResult())
        }

        group.post("heartbeat") { request, _ -> Response in
            let beat = try await JSONBody.decode(AgentHeartbeat.self, from: request, limit: limit)
            try await self.requireHost(beat.host)
            await self.hub.seen(beat.host, now: WallClock.nowMillis())
            await self.cluster.record(beat.instances, host: beat.host)
            if let sample = beat.metrics { self.metrics.record(sample, host: beat.host) }
            return JSONBody.ok(NoResult())
        }
    }

    func requireHost(_ host: String) async throws {
        guard await hub.knows(host) else {
            throw StewardError(.agentUnknownHost, "Host '\(host.prefix(64))' is not part of the cluster.")
        }
    }
}
