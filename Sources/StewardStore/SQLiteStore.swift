import Logging
import SQLiteKit
import SQLKit

/// Opens the embedded SQLite store: one connection, write-ahead log, full
/// synchronous commits, so that a transition acknowledged is a transition on disk.
public enum SQLiteStore {
    public static func open(path: String, logger: Logger) async throws -> SQLStore {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let db = connection.sql(queryLogLevel: nil)
        do {
            for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON",
                           "PRAGMA busy_timeout = 5000"] {
                try await db.raw(SQLQueryString(pragma)).run()
            }
        } catch {
            try? await connection.close()
            throw error
        }
        return SQLStore(database: db) {
            try? await connection.close()
        }
    }
}
