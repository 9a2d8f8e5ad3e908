import Logging
import StewardEngine
import StewardStore

/// Writes the audit log. A failure to write is logged, never turned into a
/// failed request: the change it records has already happened.
struct Auditor: Sendable {
    enum Result: String { case success = "SUCCESS", failure = "FAILURE" }

    let store: any Store
    let logger: Logger

    func record(user: String, source: String, action: String, target: String, result: Result,
                status: Int, code: ErrorCode, commandId: Int64? = nil) async {
        let entry = AuditEntry(at: WallClock.nowMillis(), user: String(user.prefix(128)), source: source, action: action,
                               target: String(target.prefix(512)), result: result.rawValue, httpStatus: status,
                               errorCode: code.rawValue, commandId: commandId)
        do {
            try await store.appendAudit(entry)
        } catch {
            logger.error("could not write the audit log", metadata: ["action": "\(action)", "error": "\(error)"])
        }
    }
}
