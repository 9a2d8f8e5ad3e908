import Foundation

/// A fact one manager tells every manager sharing its database: something
/// stored changed, so a copy of it held in memory is out of date. Notices are
/// announced after the write they describe has committed and carry no state of
/// their own: a manager that hears one reads the store again. On PostgreSQL
/// they travel by `LISTEN/NOTIFY` (a payload stays well under its 8000 bytes);
/// with SQLite, one manager, they loop back in the process, so that both run
/// the same code.
public enum Notice: Sendable, Hashable, Codable {
    /// A command's stored state changed (created, a transition, ended, its lease moved).
    case command(Int64)
    /// Configuration values or the topology (hosts, placed instances) changed.
    case cluster
    /// A user's password, role or sessions changed, or the user was deleted:
    /// cached credentials and sessions of that user are dropped.
    case user(String)
    /// One session ended (logout): the digest of its token.
    case sessionEnded(String)
    /// A host's agent credential changed (issued, revoked, approved) or the join token rotated.
    case agentCredentials
    /// Tasks are waiting in the store's mailbox for this host's agent.
    case mailbox(host: String)
    /// Agents' results or output are waiting in the store's inbox for this command's driver.
    case inbox(command: Int64)
    /// An agent said something of its host to some manager (registered, beat, reported
    /// its instances): others re-read the host's presence and reports.
    case presence(host: String)
}

/// Where notices are announced and heard. Every manager hears every notice,
/// its own included.
public protocol NoticeBoard: Sendable {
    /// Announces a notice to every manager on the database, this one included.
    func announce(_ notice: Notice) async
    /// Announces, then returns once this manager has heard it back: every other
    /// manager listening has been sent it by then (used where the next request,
    /// on any manager, must see the change: a password changed).
    func announceAndWait(_ notice: Notice) async
    /// The notices heard, in order. One subscriber per call.
    func notices() -> AsyncStream<Notice>
    /// Stops listening (the manager is stopping); announces after this are dropped.
    func close() async
}

extension NoticeBoard {
    public func close() async {}
}

/// The board of a single manager (SQLite): notices loop back in the process.
public final class LocalNoticeBoard: NoticeBoard, @unchecked Sendable {
    // @unchecked: `subscribers` is only touched under `lock`.
    private let lock = NSLock()
    private var subscribers: [UUID: AsyncStream<Notice>.Continuation] = [:]

    public init() {}

    public func announce(_ notice: Notice) async {
        let targets = lock.withLock { Array(subscribers.values) }
        for t in targets { t.yield(notice) }
    }

    public func announceAndWait(_ notice: Notice) async { await announce(notice) }

    public func notices() -> AsyncStream<Notice> {
        let (stream, continuation) = AsyncStream<Notice>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let id = UUID()
        lock.withLock { subscribers[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            _ = self.lock.withLock { self.subscribers.removeValue(forKey: id) }
        }
        return stream
    }
}
