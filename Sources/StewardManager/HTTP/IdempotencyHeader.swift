import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import StewardAPI
import StewardStore

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
}

/// `Idempotency-Key` on a request that makes a command (draft-ietf-httpapi-idempotency-key-header,
/// as Stripe does it): read and checked before anything is planned.
extension Request {
    /// The longest key taken, in characters.
    static let maxIdempotencyKeyLength = 255

    /// The key of a request whose route reads no body: its method and path are the request.
    func idempotencyKey(user: String) throws(StewardError) -> IdempotencyKey? {
        try idempotencyKey(user: user, canonicalBody: Data())
    }

    /// The key of a request whose route decoded `body`. The body in the
    /// fingerprint is the decoded request encoded again (keys sorted), so
    /// spacing, key order, fields the manager does not read and a value
    /// sent as 8080 or "8080" do not make two requests of one.
    func idempotencyKey(user: String, body: some Encodable) throws(StewardError) -> IdempotencyKey? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(body) else {
            throw StewardError(.internalError, "The request could not be encoded for its Idempotency-Key.")
        }
        return try idempotencyKey(user: user, canonicalBody: data)
    }

    /// Absent: nil. Present: 1-255 printable ASCII characters (the draft's
    /// quoted form, `"…"`, is the same key as its content), sent once; else 400 10002.
    private func idempotencyKey(user: String, canonicalBody: Data) throws(StewardError) -> IdempotencyKey? {
        let values = headers[values: .idempotencyKey]
        guard var key = values.first else { return nil }
        guard values.count == 1 else {
            throw StewardError(.invalidParameter, "Idempotency-Key must be sent once, not \(values.count) times.")
        }
        if key.count >= 2, key.hasPrefix("\""), key.hasSuffix("\"") { key = String(key.dropFirst().dropLast()) }
        guard (1...Self.maxIdempotencyKeyLength).contains(key.utf8.count),
              key.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw StewardError(.invalidParameter,
                               "Idempotency-Key must be 1-\(Self.maxIdempotencyKeyLength) printable ASCII characters.")
        }
        var hasher = SHA256()
        hasher.update(data: Data("\(method.rawValue) \(uri.path)\n".utf8))
        hasher.update(data: canonicalBody)
        let fingerprint = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return IdempotencyKey(user: user, key: key, fingerprint: fingerprint)
    }
}
