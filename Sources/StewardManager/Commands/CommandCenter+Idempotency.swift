import StewardAPI
import StewardEngine
import StewardStore

/// `Idempotency-Key`: a request sent again with its key gets the command the
/// first one made, never a second one. The key is looked up under the gate
/// before the request is planned (a replay of a running command must not be
/// refused as busy by its own command), and stored in the transaction that
/// inserts the command (`begin` → `Store.insert`); a key another manager
/// stored in between is the store's conflict, answered the same way.
extension CommandCenter {
    /// Under the gate: the command `key` already names, or the one `make` creates.
    func once(_ key: IdempotencyKey?, _ make: @Sendable () async throws -> Command) async throws -> Command {
        guard let key else { return try await make() }
        if let record = try await store.idempotencyRecord(user: key.user, key: key.key, now: clock.now()) {
            return try await replay(record, for: key)
        }
        do {
            return try await make()
        } catch let conflict as IdempotencyConflict {
            return try await replay(conflict.existing, for: key)
        }
    }

    /// The command a key made, as it is now; 422 if the key came with another request.
    private func replay(_ record: IdempotencyRecord, for key: IdempotencyKey) async throws -> Command {
        guard record.fingerprint == key.fingerprint else {
            throw StewardError(.idempotencyKeyReused,
                               "Idempotency-Key '\(key.key.prefix(64))' was used for another request (command \(record.commandId)); "
                               + "nothing was made. Send a new key with a new request.")
        }
        if let command = active[record.commandId] { return command }
        guard let command = try await store.command(id: record.commandId) else {
            throw StewardError(.commandNotFound, "Command \(record.commandId), made with this Idempotency-Key, does not exist.")
        }
        return command
    }
}
