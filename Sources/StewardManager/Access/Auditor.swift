import Logging
import StewardAPI
import StewardEngine
import StewardStore

/// Writes the audit log. A failure to write is logged, never turned into a
/// failed request: the change it records has already happened.
///
/// The log cannot be flooded: a failure alike to one recorded from the same
/// source within the last minute (same user, action and error code) adds to
/// that entry's count instead of adding a row, so a guesser gets one row a
/// minute, not one per guess. Successes are always rows of their own. Entries
/// older than the retention are pruned on a timer (`prune`).
struct Auditor: Sendable {
    let store: any Store
    let clock: any TimeSource
    let logger: Logger
    /// Alike failures within this window are one entry.
    static let coalesceMs: Millis = 60_000

    func record(user: String, source: String, action: String, target: String, result: AuditResult,
                status: Int, code: ErrorCode, commandId: Int64? = nil) async {
        let now = clock.now()
        let entry = AuditEntry(at: now, user: String(user.prefix(128)), source: source, action: action,
                               target: String(target.prefix(512)), result: result, httpStatus: status,
                               errorCode: code.rawValue, commandId: commandId)
        do {
            if result == .failure {
                try await store.appendAudit(entry, coalescingSince: now - Self.coalesceMs)
            } else {
                try await store.appendAudit(entry)
            }
        } catch {
            logger.error("could not write the audit log", metadata: ["action": "\(action)", "error": "\(error)"])
        }
    }

    /// Deletes the entries older than `days`.
    func prune(retentionDays days: Int) async {
        do {
            let removed = try await store.pruneAudit(before: clock.now() - Millis(days) * 86_400_000)
            if removed > 0 { logger.info("audit entries past retention pruned", metadata: ["count": "\(removed)", "days": "\(days)"]) }
        } catch {
            logger.error("could not prune the audit log", metadata: ["error": "\(error)"])
        }
    }
}
