import Logging
import StewardAPI
import StewardEngine
import StewardStore

/// Writes the audit log. A failure to write is logged, never turned into a
/// failed request: the change it records has already happened.
struct Auditor: Sendable {
    let store: any Store
    let clock: any TimeSource
    let logger: Logger

    func record(user: String, source: String, action: String, target: String, result: AuditResult,
                status: Int, code: ErrorCode, commandId: Int64? = nil) async {
        let entry = AuditEntry(at: clock.now(), user: String(user.prefix(128)), source: source, action: action,
                               target: String(target.prefix(512)), result: result, httpStatus: status,
                               errorCode: code.rawValue, commandId: commandId)
        do {
            try await store.appendAudit(entry)
        } catch {
            logger.error("could not write the audit log", metadata: ["action": "\(action)", "error": "\(error)"])
        }
    }
}
