import Foundation
import Hummingbird
import HummingbirdTesting
import StewardAPI
@testable import StewardManager
import StewardStore
import StewardTestSupport
import Testing

/// Managers on one PostgreSQL database: started at once, one creates the
/// cluster and the admin, the others find them; what one stores, any other reads.
@Suite(.enabled(if: TestPostgres.available, "PostgreSQL is not installed and CI is unset"))
struct PostgresManagerTests {
    @Test func managersStartedAtOnceShareOneClusterAdminAndUsers() async throws {
        let database = try await TestPostgres.database()
        let key = FileManager.default.temporaryDirectory.appendingPathComponent("steward-key-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: key) }
        let configure: @Sendable (inout ManagerOptions) -> Void = {
            $0.database = DatabaseOptions(url: database)
            $0.keyFile = key
        }
        // Three managers at once; each test manager opens in its own task and waits for the others.
        let opened = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<3 {
                group.addTask {
                    try await withTestRouter(configure: configure) { manager, client in
                        await opened.add()
                        try await opened.waitFor(3)
                        #expect(try await manager.store.clusters().count == 1)
                        #expect(try await manager.store.user(named: "admin") != nil)
                        #expect(manager.notices is PostgresNoticeBoard)
                        if index == 0 {
                            let body = try JSONEncoder().encode(CreateUserRequest(userName: "bea", role: "operator", password: "Quiet-river-2718"))
                            let created = try await client.execute(
                                uri: "/web/v1/access/users", method: .post,
                                headers: [.authorization: basicAuth("admin", "Test-pass-1"), .contentType: "application/json"],
                                body: ByteBuffer(data: body))
                            #expect(created.status == .ok, "\(String(buffer: created.body))")
                            await opened.userCreated()
                        }
                        try await opened.waitUntilCreated()
                        // Every manager reads the user another one stored.
                        let list = try await client.execute(uri: "/web/v1/access/users", method: .get,
                                                            headers: [.authorization: basicAuth("admin", "Test-pass-1")])
                        #expect(String(buffer: list.body).contains("\"bea\""))
                        await opened.done()
                        try await opened.waitForDone(3)
                        #expect(try await manager.store.userCount() == 2, "one admin, made by the first, and bea")
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

/// Where the test's managers meet: each waits for the others at each stage.
actor Counter {
    private(set) var count = 0
    private(set) var created = 0
    private var finished = 0
    func add() { count += 1 }
    func userCreated() { created = 1 }
    func done() { finished += 1 }
    func waitFor(_ n: Int) async throws { try await wait { count >= n } }
    func waitUntilCreated() async throws { try await wait { created == 1 } }
    func waitForDone(_ n: Int) async throws { try await wait { finished >= n } }
    private func wait(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw StewardError(.internalError, "timed out") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
