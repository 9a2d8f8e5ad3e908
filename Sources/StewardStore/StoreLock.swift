import Foundation

/// Held while a manager does its first-start work (creating the cluster, the
/// first admin, the first configuration version): several managers starting at
/// once on one database do it one after another, so that the second finds what
/// the first created instead of failing on a duplicate key. On PostgreSQL a
/// session advisory lock on a connection of its own; released by `release()`,
/// or by the server when that connection drops (the holder died). With SQLite,
/// one manager per file, there is nothing to wait for.
public final class StoreLock: @unchecked Sendable {
    // @unchecked: `onRelease` is taken once, under `lock`.
    private let lock = NSLock()
    private var onRelease: (@Sendable () -> Void)?

    init(onRelease: (@Sendable () -> Void)? = nil) { self.onRelease = onRelease }

    /// Releases the lock; later calls do nothing. Synchronous, so that a `defer` can call it.
    public func release() {
        let release = lock.withLock { () -> (@Sendable () -> Void)? in
            defer { onRelease = nil }
            return onRelease
        }
        release?()
    }
}

extension SQLStore {
    /// Waits until no other manager on this database holds the first-start lock, then holds it.
    public func lockFirstStart() async throws -> StoreLock {
        guard let takeFirstStartLock else { return StoreLock() }
        do { return try await takeFirstStartLock() } catch { throw mapError(error) }
    }
}
