import Crypto
import Foundation
import StewardSystem

/// Seals configuration values of type PASSWORD before they reach the store,
/// and opens them when the manager loads them: the database file, its
/// backups and whoever can read the database see only ciphertext.
///
/// AES-256-GCM with a fresh random nonce per value; the key is 32 random
/// bytes in a 0600 file in the manager's data directory (`secret.key`),
/// created on first start. A sealed value is stored as
/// `sealed:v1:<base64 of nonce | ciphertext | tag>`, so a clear value written
/// before sealing existed is still told apart and sealed on the next start.
public struct SecretSealer: Sendable {
    static let prefix = "sealed:v1:"
    // The bytes, not a SymmetricKey, which is not Sendable; a key is made per use.
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public init(key: SymmetricKey) { self.keyBytes = key.withUnsafeBytes { Array($0) } }

    /// A sealer with a key of its own, for a store that lives no longer than its process (tests).
    public static func ephemeral() -> SecretSealer { SecretSealer(key: SymmetricKey(size: .bits256)) }

    /// The key kept at `path`, created (0600, from its first byte) when absent.
    public static func loadOrCreate(keyFile path: String) throws -> SecretSealer {
        if let text = SecretFile.read(path) {
            guard let bytes = Data(base64Encoded: text), bytes.count == 32 else {
                throw Failure(description: "\(path) does not hold a 256-bit key in base64; "
                    + "restore it from a backup (values sealed with it cannot be read without it)")
            }
            return SecretSealer(key: SymmetricKey(data: bytes))
        }
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        try SecretFile.write(text, to: path)
        return SecretSealer(key: key)
    }

    public static func isSealed(_ stored: String) -> Bool { stored.hasPrefix(prefix) }

    /// 32 bytes for one `purpose`, derived from the sealing key (HKDF-SHA256):
    /// the same on every manager that shares the key, without storing another
    /// secret, and telling nothing of the key itself.
    public func derivedKey(purpose: String) -> [UInt8] {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("steward|\(purpose)".utf8), outputByteCount: 32)
            .withUnsafeBytes { Array($0) }
    }

    public func seal(_ clear: String) throws -> String {
        let box = try AES.GCM.seal(Data(clear.utf8), using: key)
        guard let combined = box.combined else { throw Failure(description: "AES-GCM gave no combined form") }
        return Self.prefix + combined.base64EncodedString()
    }

    /// The clear value of a stored one; a value never sealed is returned as it is.
    public func open(_ stored: String) throws -> String {
        guard Self.isSealed(stored) else { return stored }
        guard let combined = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))),
              let box = try? AES.GCM.SealedBox(combined: combined),
              let clear = try? AES.GCM.open(box, using: key) else {
            throw Failure(description: "a sealed configuration value cannot be opened with this manager's secret.key "
                + "(the key file was replaced or the value was altered)")
        }
        return String(decoding: clear, as: UTF8.self)
    }
}
