import Logging
import StewardStore

extension Manager {
    /// Hears every notice (this manager's own too) and drops or reloads the
    /// copies they make stale: a user's cached credentials and sessions, an
    /// ended session, the agents' credentials. Subscribed before it returns,
    /// so that nothing announced after the manager opened is missed; one
    /// notice at a time, so that `announceAndWait` means handled.
    static func listen(to notices: any NoticeBoard, auth: Authenticator, credentials: HostCredentials,
                       logger: Logger) -> Task<Void, Never> {
        let stream = notices.notices()
        return Task {
            for await notice in stream {
                switch notice {
                case .user(let name):
                    auth.dropCached(user: name)
                case .sessionEnded(let digest):
                    auth.sessions.dropCached(digest: digest)
                case .agentCredentials:
                    do {
                        try await credentials.reload()
                    } catch {
                        logger.error("could not reload the agents' credentials", metadata: ["error": "\(error)"])
                    }
                case .command, .cluster, .mailbox, .inbox, .presence:
                    break
                }
            }
        }
    }
}
