import Foundation
import HTTPTypes
import Hummingbird
import Logging
import StewardAPI
import StewardEngine

/// `/agent/v1`: the endpoints agents dial out to. They talk to the agent hub
/// only. The join token only registers a host that has no credential yet
/// (and is answered the host's new credential); everything else needs the
/// host's own credential and acts for that host alone.
struct AgentController {
    typealias Context = StewardRequestContext
    let hub: AgentHub
    let credentials: HostCredentials
    /// A new host joining is stored in the topology through the center.
    let center: CommandCenter
    let auditor: Auditor
    let welcome: AgentWelcome
    let bodyLimit: Int
    let logger: Logger

    static let hostHeader = HTTPField.Name(AgentHeaders.host)!

    func addRoutes(to router: Router<Context>) {
        let agents = router.group("/agent/v1")
        agents.post("register", use: register)
        agents.post("poll", use: poll)
        agents.post("result", use: result)
        agents.post("output", use: output)
        agents.post("heartbeat", use: heartbeat)
    }

    @Sendable func register(_ request: Request, context: Context) async throws -> Response {
        let caller = try await authenticate(request, context)
        let hello = try await JSONBody.decode(AgentHello.self, from: request, limit: bodyLimit)
        switch caller {
        case .joiner:
            // A host not yet in the cluster joins it here: that is how hosts are added.
            return try await bootstrap(hello, request: request, context: context)
        case .host(let host, let state):
            try await hub.requireHost(hello.host)
            guard host == hello.host else { throw await forgery(by: host, claimed: hello.host, task: nil, request, context) }
            guard state == .active else { return JSONBody.ok(with(pending: true)) }
            try await admit(hello)
            return JSONBody.ok(welcome)
        }
    }

    @Sendable func poll(_ request: Request, context: Context) async throws -> Response {
        // Read before authenticating: a revocation after the check must still end this poll at once.
        var disconnects: UInt64?
        if let named = request.headers[Self.hostHeader] { disconnects = await hub.disconnects(of: named) }
        let host = try await authenticatedHost(request, context)
        let poll = try await JSONBody.decode(AgentPoll.self, from: request, limit: bodyLimit)
        guard poll.host == host else { throw await forgery(by: host, claimed: poll.host, task: nil, request, context) }
        // The hub refuses a poll that a revocation cut: it must not look like an empty answer.
        return JSONBody.ok(try await hub.poll(poll, timeoutMs: welcome.pollTimeoutMs, disconnects: disconnects))
    }

    @Sendable func result(_ request: Request, context: Context) async throws -> Response {
        let host = try await authenticatedHost(request, context)
        let result = try await JSONBody.decode(AgentTaskResult.self, from: request, limit: bodyLimit)
        try await requireOwn(result.taskId, claimed: result.host, by: host, request, context)
        try await hub.result(result)
        return JSONBody.ok(NoResult())
    }

    @Sendable func output(_ request: Request, context: Context) async throws -> Response {
        let host = try await authenticatedHost(request, context)
        let output = try await JSONBody.decode(AgentTaskOutput.self, from: request, limit: bodyLimit)
        try await requireOwn(output.taskId, claimed: output.host, by: host, request, context)
        try await hub.output(output)
        return JSONBody.ok(NoResult())
    }

    @Sendable func heartbeat(_ request: Request, context: Context) async throws -> Response {
        let host = try await authenticatedHost(request, context)
        let beat = try await JSONBody.decode(AgentHeartbeat.self, from: request, limit: bodyLimit)
        guard beat.host == host else { throw await forgery(by: host, claimed: beat.host, task: nil, request, context) }
        try await hub.heartbeat(beat)
        return JSONBody.ok(NoResult())
    }

    // MARK: who is calling

    /// A first join with the join token: the host is issued its credential,
    /// answered once, and is let in at once or held for approval.
    private func bootstrap(_ hello: AgentHello, request: Request, context: Context) async throws -> Response {
        if await !hub.knows(hello.host) { try HostJoin.checkNewName(hello.host) }
        let issued: (secret: String, state: AgentCredentialState)
        do {
            issued = try await credentials.issue(to: hello.host)
        } catch let error as StewardError {
            // The join token used for a host that has joined: an impersonation attempt, or a wiped host.
            await auditor.record(user: "agent:\(hello.host.prefix(64))", source: context.remoteAddress, action: "AGENT_JOIN",
                                 target: hello.host, result: .failure, status: error.code.httpStatus, code: error.code)
            throw error
        }
        await auditor.record(user: "agent:\(hello.host.prefix(64))", source: context.remoteAddress, action: "AGENT_BOOTSTRAP",
                             target: hello.host, result: .success, status: 200, code: .success)
        // Pending or not, the host is now one of the cluster's: admins see it (and approve it) in the hosts list.
        let joined = try await center.join(HostJoin.record(from: hello))
        await hub.add(host: joined.name)
        logger.info("host joined: credential issued", metadata: ["host": "\(hello.host)", "state": "\(issued.state.rawValue)"])
        guard issued.state == .active else { return JSONBody.ok(with(credential: issued.secret, pending: true)) }
        try await admit(hello, joined: true)
        return JSONBody.ok(with(credential: issued.secret, pending: false))
    }

    /// `joined`: the bootstrap has just stored what the agent says of its host.
    private func admit(_ hello: AgentHello, joined: Bool = false) async throws {
        // What the agent says of its host (address, cores, …) may change between its starts.
        if !joined { _ = try await center.join(HostJoin.record(from: hello)) }
        let lost = try await hub.hello(hello)
        if !lost.isEmpty {
            logger.warning("agent restarted: the tasks its previous process held fail",
                           metadata: ["host": "\(hello.host)", "tasks": "\(lost.sorted())"])
        }
        logger.info("agent registered", metadata: ["host": "\(hello.host)", "version": "\(hello.agentVersion)"])
    }

    private func with(credential: String? = nil, pending: Bool) -> AgentWelcome {
        var answer = welcome
        answer.credential = credential
        answer.pending = pending
        return answer
    }

    static func bearer(_ request: Request) -> String {
        let header = request.headers[.authorization] ?? ""
        return header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
    }

    /// The join token or a host's credential; anything else is refused (401) and audited.
    private func authenticate(_ request: Request, _ context: Context) async throws -> HostCredentials.Caller {
        let host = request.headers[Self.hostHeader]
        if let caller = await credentials.authenticate(bearer: Self.bearer(request), host: host) { return caller }
        // A wrong join token or credential is an intrusion attempt or a misconfigured host: both worth a record.
        // A credential for a host this manager never issued one to is stale (its store was wiped): saying so lets
        // the agent join afresh with the join token, which it could do anyway. A revoked host is told only "refused".
        var code: ErrorCode = host == nil ? .agentUnauthenticated : .agentCredentialRefused
        if let host, await credentials.state(of: host) == .none { code = .agentCredentialNotFound }
        await auditor.record(user: host.map { "agent:\($0.prefix(64))" } ?? "", source: context.remoteAddress,
                             action: host == nil ? "AGENT_JOIN" : "AGENT_AUTH", target: request.uri.path,
                             result: .failure, status: code.httpStatus, code: code)
        throw StewardError(code)
    }

    /// The host whose active credential the request carries. The join token
    /// alone is refused here: it gets no tasks and may post nothing.
    private func authenticatedHost(_ request: Request, _ context: Context) async throws -> String {
        switch try await authenticate(request, context) {
        case .joiner:
            await auditor.record(user: "", source: context.remoteAddress, action: "AGENT_AUTH", target: request.uri.path,
                                 result: .failure, status: 401, code: .agentCredentialRefused)
            throw StewardError(.agentCredentialRefused, "The join token only registers a new host; send the host's credential.")
        case .host(let host, let state):
            guard state == .active else { throw StewardError(.agentPendingApproval) }
            return host
        }
    }

    /// A result or output must be about the caller's host and one of its tasks.
    private func requireOwn(_ taskId: Int64, claimed: String, by host: String, _ request: Request, _ context: Context) async throws {
        guard claimed == host else { throw await forgery(by: host, claimed: claimed, task: taskId, request, context) }
        if let owner = await hub.host(ofTask: taskId), owner != host {
            throw await forgery(by: host, claimed: owner, task: taskId, request, context)
        }
    }

    /// A host speaking for another: refused (403), audited, and nothing changes.
    private func forgery(by host: String, claimed: String, task: Int64?, _ request: Request, _ context: Context) async -> StewardError {
        let about = "\(request.uri.path) host=\(claimed.prefix(64))" + (task.map { " task=\($0)" } ?? "")
        logger.warning("agent forgery refused", metadata: ["host": "\(host)", "about": "\(about)"])
        await auditor.record(user: "agent:\(host)", source: context.remoteAddress, action: "AGENT_FORGERY", target: about,
                             result: .failure, status: 403, code: .agentForgery)
        return StewardError(.agentForgery, "The credential of host '\(host)' cannot speak for host '\(claimed.prefix(64))'"
                            + (task.map { " or its task \($0)" } ?? "") + ".")
    }
}
