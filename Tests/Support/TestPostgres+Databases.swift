import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// A fresh database per test, on one server per test process: the one
/// `STEWARD_TEST_POSTGRES_URL` names (its user may CREATE DATABASE), else a
/// throwaway server started on first use.
extension TestPostgres {
    /// A URL on a new, empty database.
    public static func database() async throws -> String {
        try await createDatabase(adminURL: try await SharedServer.shared.adminURL())
    }

    static func createDatabase(adminURL: String) async throws -> String {
        let name = "steward_t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try await withConnection(adminURL) { connection in
            _ = try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        guard var c = URLComponents(string: adminURL) else { throw Failure("bad URL \(adminURL)") }
        c.path = "/" + name
        return c.string ?? adminURL
    }

    static func canConnect(_ url: String) async throws -> Bool {
        do {
            try await withConnection(url) { connection in
                _ = try await connection.query("SELECT 1", logger: logger)
            }
            return true
        } catch {
            return false
        }
    }

    static func withConnection(_ url: String, _ body: (PostgresConnection) async throws -> Void) async throws {
        guard let c = URLComponents(string: url), let host = c.host, let user = c.user else { throw Failure("bad URL \(url)") }
        var config = PostgresConnection.Configuration(
            host: host, port: c.port ?? 5432, username: user, password: c.password,
            database: c.path.isEmpty ? nil : String(c.path.dropFirst()), tls: .disable)
        config.options.connectTimeout = .seconds(2)
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: config, id: 1, logger: logger)
        do {
            try await body(connection)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    static let logger: Logger = {
        var l = Logger(label: "steward.test.postgres")
        l.logLevel = .critical
        return l
    }()
}

/// The one server of this test process, started once.
actor SharedServer {
    static let shared = SharedServer()
    // Kept for the whole run (its processes with it): the watchdog stops it when the process ends.
    private var started: Task<TestPostgres, any Error>?

    func adminURL() async throws -> String {
        if let given = ProcessInfo.processInfo.environment["STEWARD_TEST_POSTGRES_URL"], !given.isEmpty { return given }
        if let started { return try await started.value.adminURL }
        let task = Task { try await TestPostgres.start() }
        started = task
        return try await task.value.adminURL
    }
}
