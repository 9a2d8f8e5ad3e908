import Foundation
import Hummingbird
import NIOPosix
import StewardEngine
import StewardStore

/// HTTP Basic authentication against the users in the store.
///
/// The slow hash runs on a thread pool, never on an event loop, and a verified
/// credential is cached (see `CredentialCache`) so that polling stays cheap.
struct BasicAuthMiddleware: RouterMiddleware {
    typealias Context = StewardRequestContext
    let store: any Store
    let cache: CredentialCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return Self.challenge("Credentials are required.") }
        let key = CredentialCache.key(header)
        var context = context
        if let user = cache.lookup(key) {
            context.user = user
            return try await next(request, context)
        }
        guard let (name, password) = Self.parseBasic(header) else {
            return Self.challenge("The Authorization header must be HTTP Basic credentials.")
        }
        guard let record = try await store.user(named: name) else {
            // Hash anyway, so that timing does not tell which user names exist.
            _ = try? await NIOThreadPool.singleton.runIfActive { PasswordHasher.verify(password, against: decoyHash) }
            return Self.challenge("The user name or password is wrong.")
        }
        let valid = try await NIOThreadPool.singleton.runIfActive { PasswordHasher.verify(password, against: record.passwordHash) }
        guard valid else { return Self.challenge("The user name or password is wrong.") }
        let user = AuthenticatedUser(name: record.name, role: record.role)
        cache.store(key, user: user)
        context.user = user
        return try await next(request, context)
    }

    static func parseBasic(_ header: String) -> (String, String)? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    static func challenge(_ message: String) -> Response {
        var response = JSONBody.failure(StewardError(.unauthenticated, message))
        response.headers[.wwwAuthenticate] = "Basic realm=\"steward\", charset=\"UTF-8\""
        return response
    }

    /// A hash of a random password with the store's rounds, verified when the user does not exist.
    let decoyHash: String
}
