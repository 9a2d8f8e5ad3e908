import Foundation
import Logging
import SQLiteKit
import SQLKit
import StewardSystem

/// Opens the embedded SQLite store: one connection, write-ahead log, full
/// synchronous commits, so that a transition acknowledged is a transition on disk.
public enum SQLiteStore {
    public static func open(path: String, sealer: SecretSealer, logger: Logger) async throws -> SQLStore {
        // SQLite would create the file with the umask's mode; it then gives its
        // -wal and -shm files the database file's mode, so creating it 0600
        // first keeps all three private.
        if !FileManager.default.fileExists(atPath: path) { try SecretFile.write([], to: path) }
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
        return SQLStore(database: db, sealer: sealer, onClose: {
            try? await connection.close()
        })
    }
}
