import Foundation
import StewardSystem
import Synchronization

/// What the agent presents to the manager: the cluster's join token until
/// its host is issued a credential of its own, then only that credential.
/// The credential is kept in the data directory, 0600 from its first byte,
/// and read again before each registration, so that deleting the file (after
/// an admin revoked it) lets the host join afresh.
final class HostCredential: Sendable {
    let host: String
    let joinToken: String
    let path: String
    /// The credential, and whether the file holds it (a write that failed leaves it in memory only).
    private let secret: Mutex<(value: String?, onDisk: Bool)>

    init(host: String, joinToken: String, path: String) {
        self.host = host
        self.joinToken = joinToken
        self.path = path
        secret = Mutex((Self.read(path), true))
    }

    /// The host's credential, if it has one.
    var current: String? { secret.withLock { $0.value } }

    /// Reads the file again, unless the credential could not be written to it.
    func reload() {
        let value = Self.read(path)
        secret.withLock { if $0.onDisk { $0.value = value } }
    }

    /// Keeps a newly issued credential: on disk first (0600), so a restart finds it.
    func keep(_ issued: String) throws {
        secret.withLock { $0 = (issued, false) }
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try SecretFile.write(Array((issued + "\n").utf8), to: path)
        secret.withLock { $0.onDisk = true }
    }

    /// Drops a credential the manager never issued (its store was wiped), so
    /// that the host joins again with the join token.
    func forget() {
        secret.withLock { $0 = (nil, true) }
        try? FileManager.default.removeItem(atPath: path)
    }

    private static func read(_ path: String) -> String? {
        SecretFile.read(path).flatMap { $0.isEmpty ? nil : $0 }
    }
}
