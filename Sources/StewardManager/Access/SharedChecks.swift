import NIOConcurrencyHelpers

/// One password check for concurrent requests that present the same Basic
/// credentials from the same address while none is cached (the first
/// requests of a polling client's connections, and every poller at once
/// when the cached entry expires): the others wait for its result.
///
/// Without it each of them reserved a try in the login throttle before its
/// hash ran, as a guess does, so that 200 pollers of one user whose entry
/// expired together were taken for a guesser after the fifth and refused for
/// 300 s (issue 11, part 5). Keyed by the source too, so that a request from
/// an address the throttle holds back cannot borrow another address's check.
final class SharedChecks: Sendable {
    struct Key: Hashable, Sendable {
        let credential: CredentialCache.Key
        let source: String
    }
    private typealias Check = Task<AuthenticatedUser, any Error>
    private struct State {
        var running: [Key: Check] = [:]
        var joined = 0
    }
    private let state = NIOLockedValueBox(State())

    /// Requests that waited for another's check rather than starting their own (tests watch it).
    var joined: Int { state.withLockedValue { $0.joined } }

    /// The result of the check running for `key`, or of `check`, started now if none is.
    /// The check runs in its own task, so that the first requester's going away does not end it for the others.
    func run(_ key: Key, _ check: @escaping @Sendable () async throws -> AuthenticatedUser) async throws -> AuthenticatedUser {
        let task = state.withLockedValue { s -> Check in
            if let running = s.running[key] {
                s.joined += 1
                return running
            }
            let task = Check {
                // Taken out by the check itself when it ends: the lock orders this after its insertion.
                defer { self.state.withLockedValue { _ = $0.running.removeValue(forKey: key) } }
                return try await check()
            }
            s.running[key] = task
            return task
        }
        return try await task.value
    }
}
