import SQLKit
import StewardAPI
import StewardEngine

extension SQLStore {
    public func lastOperations(clusterId: Int) async throws -> [InstanceRef: Operation] {
        try await read { db in
            // Task ids grow in the order commands are planned, and a service runs one
            // command at a time: an instance's highest succeeded id is its latest.
            let rows = try await db.raw("""
                SELECT t.service, t.role, t.host, t.operation FROM tasks t
                WHERE t.id IN (
                  SELECT MAX(t2.id) FROM tasks t2 JOIN commands c ON c.id = t2.command_id
                  WHERE t2.state = \(bind: ExecutionState.succeeded.rawValue)
                    AND c.cluster_id = \(bind: clusterId)
                    AND c.kind <> \(bind: CommandKind.restartInstance.rawValue)
                  GROUP BY t2.service, t2.role, t2.host)
                """).all()
            var out: [InstanceRef: Operation] = [:]
            for row in rows {
                let ref = InstanceRef(service: try row.decode(column: "service", as: String.self),
                                      role: try row.decode(column: "role", as: String.self),
                                      host: try row.decode(column: "host", as: String.self))
                if let op = Operation(rawValue: try row.decode(column: "operation", as: String.self)) { out[ref] = op }
            }
            return out
        }
    }
}
