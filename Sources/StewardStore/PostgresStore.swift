import AsyncKit
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit
import StewardAPI

/// Where a manager finds its PostgreSQL database and how it talks to it.
public struct PostgresSettings: Sendable {
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=disable|prefer|require|verify-ca|verify-full]`.
    public var url: String
    /// Wins over a password in the URL (read from `--database-password-file` or the environment).
    public var password: String?
    /// PEM file of the certificate authorities trusted for the server's certificate; implies TLS.
    public var caFile: String?
    /// Connections of the pool, in all.
    public var poolSize: Int = 4
    /// A connection attempt gives up after this: a store call fails in about this time, not a hang.
    public var connectTimeout: TimeAmount = .seconds(2)
    /// The server cancels a statement running longer than this (0: never).
    public var statementTimeoutMs: Int = 15_000

    public init(url: String, password: String? = nil, caFile: String? = nil) {
        self.url = url
        self.password = password
        self.caFile = caFile
    }

    /// A URL as given, its password hidden: for logs and messages.
    public var redactedURL: String {
        guard var c = URLComponents(string: url), c.password != nil else { return url }
        c.password = "***"
        return c.string ?? "postgres://***"
    }

    /// The connection configuration: the URL's parts, the password, TLS, and the
    /// session settings every connection starts with.
    public func configuration() throws -> PostgresConnection.Configuration {
        guard let c = URLComponents(string: url), ["postgres", "postgresql"].contains(c.scheme ?? ""),
              let host = c.host, !host.isEmpty, let user = c.user, !user.isEmpty else {
            throw StewardError(.invalidParameter,
                               "--database must look like postgres://USER@HOST:PORT/DB (got \(redactedURL)).")
        }
        let database = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        guard !database.isEmpty, !database.contains("/") else {
            throw StewardError(.invalidParameter, "--database names no database: postgres://USER@HOST:PORT/DB.")
        }
        let mode = c.queryItems?.last { ["sslmode", "tlsmode"].contains($0.name.lowercased()) }?.value?.lowercased()
        var config = PostgresConnection.Configuration(
            host: host, port: c.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: password ?? c.password?.removingPercentEncoding, database: database,
            tls: try tls(mode: mode ?? (caFile == nil ? "prefer" : "verify-full")))
        config.options.connectTimeout = connectTimeout
        config.options.additionalStartupParameters = [("application_name", "steward")]
        if statementTimeoutMs > 0 {
            config.options.additionalStartupParameters.append(("statement_timeout", "\(statementTimeoutMs)"))
            // A manager stuck inside a transaction must not hold its row locks forever.
            config.options.additionalStartupParameters.append(
                ("idle_in_transaction_session_timeout", "\(max(statementTimeoutMs * 4, 60_000))"))
        }
        return config
    }

    /// Whenever TLS is used the server's certificate is verified (its chain, and
    /// its name except with verify-ca): `require` does not mean "encrypt but
    /// trust anyone", unlike libpq; an unverified TLS connection is not offered.
    private func tls(mode: String) throws -> PostgresConnection.Configuration.TLS {
        func context(verifyName: Bool) throws -> NIOSSLContext {
            var tls = TLSConfiguration.makeClientConfiguration()
            if let caFile { tls.trustRoots = .file(caFile) }
            if !verifyName { tls.certificateVerification = .noHostnameVerification }
            return try NIOSSLContext(configuration: tls)
        }
        switch mode {
        case "disable": return .disable
        case "prefer", "allow": return .prefer(try context(verifyName: true))
        case "require", "verify-full": return .require(try context(verifyName: true))
        case "verify-ca": return .require(try context(verifyName: false))
        default:
            throw StewardError(.invalidParameter,
                               "sslmode must be disable, prefer, require, verify-ca or verify-full (got \(mode)).")
        }
    }
}

/// Opens the store several managers share: a pool of a few connections to one
/// PostgreSQL database. Transactions pin one connection from BEGIN to COMMIT
/// (postgres-kit's pooled `withSession` leases a connection for the closure);
/// reads take any connection. A connection that breaks is dropped by the pool
/// and a new one opened on the next call, so the store recovers by itself once
/// the server is back; meanwhile calls fail within the connect timeout with
/// `storeUnavailable`.
public enum PostgresStore {
    public static func open(_ settings: PostgresSettings, sealer: SecretSealer, logger: Logger) async throws -> SQLStore {
        let configuration = try settings.configuration()
        let group = MultiThreadedEventLoopGroup.singleton
        // The pool is per event loop: the size asked for, spread over the loops.
        let loopCount = max(1, loops(group))
        let perLoop = max(1, (settings.poolSize + loopCount - 1) / loopCount)
        let pool = EventLoopGroupConnectionPool(
            source: PostgresConnectionSource(sqlConfiguration: SQLPostgresConfiguration(coreConfiguration: configuration)),
            maxConnectionsPerEventLoop: perLoop,
            // Waiting for a free connection while every one is busy: bounded, so a call never hangs.
            requestTimeout: .seconds(10),
            logger: logger,
            on: group)
        let db = pool.database(logger: logger).sql(queryLogLevel: nil)
        let owner = PoolOwner(pool: pool)
        let store = SQLStore(database: db, sealer: sealer, serializesReads: false, mapError: PostgresFailure.map,
                             firstStartLock: { try await firstStartLock(configuration, logger: logger) },
                             onClose: { try? await owner.pool.shutdownAsync() })
        // Fail at start, with a clear message, rather than at the first request.
        do {
            _ = try await store.read { db in try await db.raw("SELECT 1 AS one").first() }
        } catch {
            await store.close()
            throw StewardError(.storeUnavailable,
                               "Cannot reach PostgreSQL at \(settings.redactedURL): \(PostgresFailure.describe(error))")
        }
        return store
    }

    /// A connection of its own holding a session advisory lock; closing it releases the lock.
    /// The wait is bounded by lock_timeout, not the statement timeout: another
    /// manager's first start may take longer than a statement should.
    static func firstStartLock(_ configuration: PostgresConnection.Configuration, logger: Logger) async throws -> StoreLock {
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 0, logger: logger)
        do {
            _ = try await connection.query("SET statement_timeout = 0", logger: logger)
            _ = try await connection.query("SET lock_timeout = '120s'", logger: logger)
            _ = try await connection.query(PostgresQuery(unsafeSQL: "SELECT pg_advisory_lock(\(Migrations.firstStartLockKey))"),
                                           logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        // The connection is kept until its close completes: PostgresNIO traps on one dropped while open.
        return StoreLock {
            let closing: EventLoopFuture<Void> = connection.close()
            closing.whenComplete { _ in withExtendedLifetime(connection) {} }
        }
    }

    private static func loops(_ group: MultiThreadedEventLoopGroup) -> Int {
        var n = 0
        for _ in group.makeIterator() { n += 1 }
        return n
    }
}

/// The pool, to shut it down when the store closes. @unchecked: the pool is
/// safe to use from any thread (each event loop's pool is confined to its loop,
/// and shutdown takes a lock), it is only not marked Sendable.
private struct PoolOwner: @unchecked Sendable {
    let pool: EventLoopGroupConnectionPool<PostgresConnectionSource>
}

/// Which PostgreSQL failures mean "the database is not there" (503, retry
/// later) rather than "this statement is wrong".
enum PostgresFailure {
    static func map(_ error: any Error) -> any Error {
        isUnavailable(error) ? StewardError(.storeUnavailable, "The database is unavailable; try again shortly.") : error
    }

    static func isUnavailable(_ error: any Error) -> Bool {
        switch error {
        case let e as PSQLError:
            switch e.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed,
                 .sslUnsupported, .failedToAddSSLHandler:
                return true
            case .server:
                // 08: connection exception; 57P01-03: the server is shutting down or
                // starting (crash recovery); 53300: too many connections; 57014: a
                // statement that ran past the statement timeout.
                let state = e.serverInfo?[.sqlState] ?? ""
                return state.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300", "57014"].contains(state)
            default:
                return false
            }
        case is ConnectionPoolTimeoutError, is ConnectionPoolError, is ChannelError, is IOError, is NIOConnectionError:
            return true
        default:
            return false
        }
    }

    /// The server's message, or the error: for the one line a failed start prints.
    static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] { return message }
            if let underlying = e.underlying { return "\(underlying)" }
            return "\(e.code)"
        }
        return "\(error)"
    }
}
