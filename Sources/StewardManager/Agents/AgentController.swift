import Foundation
import Hummingbird
import Logging
import StewardAPI
import StewardEngine

/// `/agent/v1`: the endpoints agents dial out to, authenticated by the
/// cluster's agent token. They talk to the agent hub only.
struct AgentController {
    typealias Context = StewardRequestContext
    let hub: AgentHub
    let token: String
    let auditor: Auditor
    let welcome: AgentWelcome
    let bodyLimit: Int
    let logger: Logger

    func addRoutes(to router: Router<Context>) {
        let agents = router.group("/agent/v1").add(middleware: AgentTokenMiddleware(token: token, auditor: auditor))
        agents.post("register", use: register)
        agents.post("poll", use: poll)
        agents.post("result", use: result)
        agents.post("output", use: output)
        agents.post("heartbeat", use: heartbeat)
    }

    @Sendable func register(_ request: Request, context: Context) async throws -> Response {
        let hello = try await JSONBody.decode(AgentHello.self, from: request, limit: bodyLimit)
        let lost = try await hub.hello(hello)
        if !lost.isEmpty {
            logger.warning("agent restarted: the tasks its previous process held fail",
                           metadata: ["host": "\(hello.host)", "tasks": "\(lost.sorted())"])
        }
        logger.info("agent registered", metadata: ["host": "\(hello.host)", "version": "\(hello.agentVersion)"])
        return JSONBody.ok(welcome)
    }

    @Sendable func poll(_ request: Request, context: Context) async throws -> Response {
        let poll = try await JSONBody.decode(AgentPoll.self, from: request, limit: bodyLimit)
        return JSONBody.ok(try await hub.poll(poll, timeoutMs: welcome.pollTimeoutMs))
    }

    @Sendable func result(_ request: Request, context: Context) async throws -> Response {
        try await hub.result(try await JSONBody.decode(AgentTaskResult.self, from: request, limit: bodyLimit))
        return JSONBody.ok(NoResult())
    }

    @Sendable func output(_ request: Request, context: Context) async throws -> Response {
        try await hub.output(try await JSONBody.decode(AgentTaskOutput.self, from: request, limit: bodyLimit))
        return JSONBody.ok(NoResult())
    }

    @Sendable func heartbeat(_ request: Request, context: Context) async throws -> Response {
        try await hub.heartbeat(try await JSONBody.decode(AgentHeartbeat.self, from: request, limit: bodyLimit))
        return JSONBody.ok(NoResult())
    }
}

/// Agents authenticate with the cluster's join token (a bearer token,
/// compared in constant time).
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
