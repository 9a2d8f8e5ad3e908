import HTTPTypes
import Hummingbird
import StewardEngine

/// Commands: start, stop, restart a service; save configuration; follow progress.
extension Manager {
    func addCommandRoutes(to api: RouterGroup<StewardRequestContext>) {
        let limit = options.maxBodyBytes
        for (action, kind) in [("start", CommandKind.startService), ("stop", .stopService), ("restart", .restartService)] {
            api.group().add(middleware: audit("SERVICE_\(action.uppercased())")).add(middleware: RoleMiddleware(role: .operator))
                .post("maintain/cluster/:cluster_id/service/:service_name/\(action)") { request, context -> Response in
                _ = try self.clusterId(context)
                let name = try self.serviceName(context)
                let body = try await JSONBody.decode(ServiceActionRequest.self, from: request, limit: limit)
                let command = try await self.center.submit(kind, service: name, onlySelf: body.onlySelf ?? true,
                                                           user: context.user?.name ?? "")
                return Self.accepted(command)
            }
        }

        api.group().add(middleware: audit("CONFIG_SAVE")).add(middleware: RoleMiddleware(role: .operator))
            .post("config/cluster/:cluster_id/save") { request, context -> Response in
            _ = try self.clusterId(context)
            let body = try await JSONBody.decode(SaveConfigurationRequest.self, from: request, limit: limit, required: true)
            let changes = try Configuration.validate(try body.changes(in: self.stack), in: self.stack)
            guard !changes.isEmpty else {
                throw StewardError(.invalidParameter, "configurations_summary.components holds no configuration item to save.")
            }
            let command = try await self.center.submitConfiguration(
                changes, restart: body.configurationsSummary.restartAffectedComponents ?? false,
                user: context.user?.name ?? "")
            return Self.accepted(command)
        }

        // The hot path: a cached, already encoded document per command version.
        api.get("common/command/:command_id/progress") { _, context -> Response in
            let id = try Self.commandId(context)
            if let buffer = self.progress.get(id) { return JSONBody.response(buffer) }
            guard let command = try await self.store.command(id: id) else {
                throw StewardError(.commandNotFound, "Command \(id) does not exist.")
            }
            return JSONBody.response(self.progress.publish(command))
        }
    }

    /// The answer to a request that created a command: its id and current state.
    static func accepted(_ command: Command) -> Response {
        var response = JSONBody.envelope(Envelope<NoResult>(
            id: command.id, state: command.state.rawValue, errorCode: command.errorCode.rawValue,
            errorDescription: command.errorDescription, totalProgress: command.progress))
        response.headers[.commandId] = String(command.id)
        return response
    }
}
