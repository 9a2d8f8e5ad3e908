import Logging

/// What a controller needs to record its changes in the audit log: one
/// middleware per audited route, named by the action it records.
struct AuditTrail: Sendable {
    let auditor: Auditor
    let logger: Logger

    func action(_ name: String) -> AuditMiddleware { AuditMiddleware(action: name, auditor: auditor, logger: logger) }
}
