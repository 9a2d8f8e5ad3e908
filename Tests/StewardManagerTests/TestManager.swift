import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import StewardEngine
import StewardStore
@testable import StewardManager

/// A manager opened on a fresh data directory (a real SQLite file), for tests
/// that need its router; the store is closed and the directory removed after.
func withTestManager<T>(clock: (any TimeSource)? = nil, notices: (any NoticeBoard)? = nil,
                        configure: (inout ManagerOptions) -> Void = { _ in },
                        _ body: (Manager) async throws -> T) async throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-manager-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var options = ManagerOptions(dataDirectory: dir)
    options.adminPassword = "Test-pass-1"
    // Fast hashing: these tests are about routes, not about password storage.
    options.passwordHashRounds = 10_000
    configure(&options)
    var logger = Logger(label: "test")
    logger.logLevel = .error
    let manager = try await Manager.open(options, clock: clock ?? SystemTime(), notices: notices, logger: logger)
    do {
        let result = try await body(manager)
        await manager.notices.close()
        await manager.store.close()
        return result
    } catch {
        await manager.notices.close()
        await manager.store.close()
        throw error
    }
}

/// A test manager and a client of its real router (no socket).
func withTestRouter(clock: (any TimeSource)? = nil, configure: (inout ManagerOptions) -> Void = { _ in },
                    _ body: @Sendable (Manager, any TestClientProtocol) async throws -> Void) async throws {
    try await withTestManager(clock: clock, configure: configure) { manager in
        var logger = Logger(label: "test")
        logger.logLevel = .error
        try await Application(router: manager.router(), logger: logger).test(.router) { client in
            try await body(manager, client)
        }
    }
}

/// An HTTP Basic `Authorization` value.
func basicAuth(_ user: String, _ password: String) -> String {
    "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
}
