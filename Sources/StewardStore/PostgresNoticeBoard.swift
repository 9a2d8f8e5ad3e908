import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import SQLKit

/// The board of managers sharing a PostgreSQL database: `NOTIFY steward` through
/// the store's pool, heard on one connection of its own that `LISTEN`s. That
/// connection is opened again, with a growing pause, whenever it drops. Notices
/// sent while it is down are not heard by this manager: they carry no state, and
/// a reader re-reads the store on the next one.
public final class PostgresNoticeBoard: NoticeBoard, @unchecked Sendable {
    // @unchecked: `subscribers`, `waiting`, `listening` and `closed` are only touched under `lock`.
    public static let channel = "steward"
    let configuration: PostgresConnection.Configuration
    let store: SQLStore
    /// Names this process in its payloads, so that it knows its own notices when they come back.
    public let senderId: String
    let logger: Logger
    private let lock = NSLock()
    private var subscribers: [UUID: AsyncStream<Notice>.Continuation] = [:]
    /// `announceAndWait` calls waiting to hear their notice back, by nonce.
    private var waiting: [String: CheckedContinuation<Void, Never>] = [:]
    private var listening = false
    private var closed = false
    private var listener: Task<Void, Never>?

    /// What travels in a notification's payload (well under PostgreSQL's 8000 bytes).
    struct Envelope: Codable {
        var from: String
        /// Set by `announceAndWait` only: the announcer waits for this one to come back.
        var nonce: String?
        var notice: Notice
    }

    public init(settings: PostgresSettings, store: SQLStore, senderId: String = UUID().uuidString,
                logger: Logger) throws {
        self.configuration = try settings.configuration()
        self.store = store
        self.senderId = senderId
        self.logger = logger
        listener = Task { [weak self] in await self?.listen() }
    }

    /// True while the LISTEN connection is up: notices are being heard.
    public var isListening: Bool { lock.withLock { listening } }

    public func announce(_ notice: Notice) async {
        _ = await send(Envelope(from: senderId, nonce: nil, notice: notice))
    }

    public func announceAndWait(_ notice: Notice) async {
        let nonce = UUID().uuidString
        // Waiting only makes sense while listening; a bound, so that a lost notice never hangs a request.
        guard isListening else { await announce(notice); return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.withLock { waiting[nonce] = continuation }
            Task {
                if !(await send(Envelope(from: senderId, nonce: nonce, notice: notice))) { resume(nonce) }
                try? await Task.sleep(for: .seconds(5))
                resume(nonce)
            }
        }
    }

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

    public func close() async {
        let (task, streams, waiters) = lock.withLock {
            closed = true
            defer { subscribers = [:]; waiting = [:] }
            return (listener, Array(subscribers.values), Array(waiting.values))
        }
        task?.cancel()
        await task?.value
        for s in streams { s.finish() }
        for w in waiters { w.resume() }
    }

    // MARK: sending and hearing

    /// False when the notice could not be sent (the database is unreachable): it is dropped.
    private func send(_ envelope: Envelope) async -> Bool {
        guard !lock.withLock({ closed }) else { return false }
        do {
            let payload = String(decoding: try JSONEncoder().encode(envelope), as: UTF8.self)
            try await store.notify(channel: Self.channel, payload: payload)
            return true
        } catch {
            logger.warning("notice dropped: the database is unreachable", metadata: [
                "notice": "\(envelope.notice)", "error": "\(error)",
            ])
            return false
        }
    }

    private func resume(_ nonce: String) {
        lock.withLock { waiting.removeValue(forKey: nonce) }?.resume()
    }

    func hear(_ payload: String) {
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(payload.utf8)) else {
            // A newer manager's notice this one does not know: nothing to re-read for it.
            logger.debug("notice not understood", metadata: ["payload": "\(payload.prefix(200))"])
            return
        }
        let targets = lock.withLock { Array(subscribers.values) }
        for t in targets { t.yield(envelope.notice) }
        if envelope.from == senderId, let nonce = envelope.nonce { resume(nonce) }
    }

    /// The LISTEN connection, opened again whenever it drops, until `close`.
    /// One warning when it is lost, one line when notices are heard again.
    private func listen() async {
        var pauseMs = 100
        var id = 0
        var lost = false
        while !Task.isCancelled {
            id += 1
            do {
                let connection = try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: id, logger: logger)
                do {
                    try await connection.listen(on: Self.channel) { notifications in
                        lock.withLock { listening = true }
                        if lost { logger.info("notices heard again", metadata: ["channel": "\(Self.channel)"]) }
                        lost = false
                        pauseMs = 100
                        for try await n in notifications { hear(n.payload) }
                    }
                } catch {
                    lock.withLock { listening = false }
                    try? await connection.close()
                    throw error
                }
                lock.withLock { listening = false }
                try? await connection.close()
            } catch {
                if Task.isCancelled { break }
                let metadata: Logger.Metadata = ["error": "\(PostgresFailure.describe(error))", "retry_ms": "\(pauseMs)"]
                if lost {
                    logger.debug("notice connection still down", metadata: metadata)
                } else {
                    logger.warning("notice connection lost; reconnecting", metadata: metadata)
                }
                lost = true
            }
            try? await Task.sleep(for: .milliseconds(pauseMs))
            pauseMs = min(pauseMs * 2, 2000)
        }
        lock.withLock { listening = false }
    }
}

extension SQLStore {
    /// `NOTIFY channel, payload` through the pool, outside any transaction: it is
    /// delivered at once to every session listening on the channel.
    func notify(channel: String, payload: String) async throws {
        try await read { db in
            try await db.raw("SELECT pg_notify(\(bind: channel), \(bind: payload))").run()
        }
    }
}
