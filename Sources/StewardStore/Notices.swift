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
/// One board may also be shared by several managers in one process (tests),
/// standing in for `LISTEN/NOTIFY`.
///
/// `announceAndWait` returns once every subscriber has handled the notice,
/// that is, has asked for the next one after it (a subscriber handles its
/// notices one at a time, in a loop): so a change announced so is seen by the
/// next request on any manager of the board.
public final class LocalNoticeBoard: NoticeBoard, @unchecked Sendable {
    // @unchecked: everything below is only touched under `lock`.
    private let lock = NSLock()
    private var subscribers: [UUID: Subscriber] = [:]
    private var waiters: [Waiter] = []

    private struct Subscriber {
        let continuation: AsyncStream<Notice>.Continuation
        /// Notices that will reach it (enqueued, less those the full buffer dropped).
        var delivered: UInt64 = 0
        /// Notices it has received and asked past.
        var handled: UInt64 = 0
    }

    private struct Waiter {
        let targets: [UUID: UInt64]
        let continuation: CheckedContinuation<Void, Never>
    }

    public init() {}

    public func announce(_ notice: Notice) async { _ = deliver(notice) }

    public func announceAndWait(_ notice: Notice) async {
        let targets = deliver(notice)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = lock.withLock { () -> Bool in
                if done(targets) { return true }
                waiters.append(Waiter(targets: targets, continuation: continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Yields to every subscriber; what each must have handled for this notice to be handled.
    private func deliver(_ notice: Notice) -> [UUID: UInt64] {
        lock.withLock {
            var targets: [UUID: UInt64] = [:]
            for (id, var subscriber) in subscribers {
                if case .enqueued = subscriber.continuation.yield(notice) { subscriber.delivered += 1 }
                subscribers[id] = subscriber
                targets[id] = subscriber.delivered
            }
            return targets
        }
    }

    /// Under `lock`: every subscriber of `targets` has handled up to its target, or is gone.
    private func done(_ targets: [UUID: UInt64]) -> Bool {
        targets.allSatisfy { id, target in (subscribers[id]?.handled ?? .max) >= target }
    }

    /// Under `lock`: the waiters now satisfied, taken out.
    private func readyWaiters() -> [CheckedContinuation<Void, Never>] {
        let ready = waiters.filter { done($0.targets) }
        waiters.removeAll { done($0.targets) }
        return ready.map(\.continuation)
    }

    public func notices() -> AsyncStream<Notice> {
        let (stream, continuation) = AsyncStream<Notice>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let id = UUID()
        lock.withLock { subscribers[id] = Subscriber(continuation: continuation) }
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            let ready = self.lock.withLock { () -> [CheckedContinuation<Void, Never>] in
                self.subscribers.removeValue(forKey: id)
                return self.readyWaiters()
            }
            for waiter in ready { waiter.resume() }
        }
        let iterator = IteratorBox(stream.makeAsyncIterator())
        return AsyncStream(unfolding: { [weak self] in
            // Asked for the next one: every one received before has been handled.
            if let self {
                let ready = self.lock.withLock { () -> [CheckedContinuation<Void, Never>] in
                    self.subscribers[id]?.handled = iterator.received
                    return self.readyWaiters()
                }
                for waiter in ready { waiter.resume() }
            }
            return await iterator.next()
        }, onCancel: { continuation.finish() })
    }
}

/// The inner stream's iterator, used by one consumer at a time (the outer
/// stream's), so that the unchecked sendability holds.
private final class IteratorBox: @unchecked Sendable {
    private var iterator: AsyncStream<Notice>.Iterator
    /// Notices it has returned.
    private(set) var received: UInt64 = 0
    init(_ iterator: AsyncStream<Notice>.Iterator) { self.iterator = iterator }
    func next() async -> Notice? {
        let next = await iterator.next()
        if next != nil { received += 1 }
        return next
    }
}
