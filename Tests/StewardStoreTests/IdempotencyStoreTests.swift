import SQLKit
import StewardAPI
import StewardEngine
@testable import StewardStore
import Testing

/// Idempotency keys: stored with their command in one transaction; a second
/// insert with a live key stores nothing and says what the key names.
@Suite struct IdempotencyStoreTests {
    static let hour: Millis = 3600 * 1000

    func count(_ table: String, in store: SQLStore) async throws -> Int {
        try await store.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()?.decode(column: "n", as: Int.self) ?? -1
        }
    }

    @Test func aKeyIsStoredWithItsCommandAndASecondInsertWithItStoresNothing() async throws {
        try await withStore { store in
            let key = IdempotencyKey(user: "op", key: "k-1", fingerprint: "f1")
            let first = try await store.insert(try Fixtures.command(.startService, service: "Gateway"), saving: [], version: nil,
                                               idempotency: key, now: 1_000)
            #expect(try await store.idempotencyRecord(user: "op", key: "k-1", now: 2_000)
                    == IdempotencyRecord(fingerprint: "f1", commandId: first.id, createdAt: 1_000))
            let (commands, tasks) = (try await count("commands", in: store), try await count("tasks", in: store))

            // The conflict, as a second manager would meet it: same key, the same or another request.
            for fingerprint in ["f1", "f2"] {
                let again = IdempotencyKey(user: "op", key: "k-1", fingerprint: fingerprint)
                do {
                    _ = try await store.insert(try Fixtures.command(.stopService, service: "Storage"), saving: [], version: nil,
                                               idempotency: again, now: 3_000)
                    Issue.record("a second insert with a live key must not succeed")
                } catch let conflict as IdempotencyConflict {
                    #expect(conflict.existing == IdempotencyRecord(fingerprint: "f1", commandId: first.id, createdAt: 1_000))
                }
            }
            // The placement insert takes keys the same way.
            let stack = try Fixtures.demo()
            try await store.createCluster(id: 1, name: "demo", description: "", stack: stack, values: [], now: 1)
            try await store.saveHost(HostRecord(name: "host-4", address: "127.0.1.4", joinedAt: 50), clusterId: 1)
            let instance = try await store.topology(clusterId: 1).checkAdd(role: "CoordinatorServer", host: "host-4", in: stack)
            let add = Command(kind: .addInstance, clusterId: 1, target: instance.ref.description, user: "op",
                              services: ["Coordinator"], steps: Planner.addInstanceSteps(instance, start: true, restale: []),
                              createdAt: 60)
            await #expect(throws: IdempotencyConflict.self) {
                _ = try await store.insert(add, placing: instance, idempotency: key, now: 3_000)
            }
            #expect(try await store.topology(clusterId: 1).placement(of: instance.ref) == nil, "nothing of a refused insert stays")
            #expect(try await count("commands", in: store) == commands)
            #expect(try await count("tasks", in: store) == tasks)
            #expect(try await count("idempotency_keys", in: store) == 1)
        }
    }

    @Test func keysArePerUserAndExpireAfterADay() async throws {
        try await withStore { store in
            // One service each: the store holds a service for the unfinished command that has it.
            let a = try await store.insert(try Fixtures.command(.startService, service: "Coordinator", onlySelf: true), saving: [],
                                           version: nil, idempotency: IdempotencyKey(user: "ann", key: "same", fingerprint: "f"), now: 0)
            let b = try await store.insert(try Fixtures.command(.startService, service: "Storage", onlySelf: true), saving: [],
                                           version: nil, idempotency: IdempotencyKey(user: "bob", key: "same", fingerprint: "f"), now: 0)
            #expect(a.id != b.id, "the same key from two users is two keys")
            #expect(try await store.idempotencyRecord(user: "ann", key: "same", now: 24 * Self.hour)?.commandId == a.id)
            #expect(try await store.idempotencyRecord(user: "ann", key: "same", now: 24 * Self.hour + 1) == nil, "24 h and gone")

            // An expired key not yet pruned is replaced by the next request that sends it.
            let c = try await store.insert(try Fixtures.command(.stopService, service: "Gateway", onlySelf: true), saving: [], version: nil,
                                           idempotency: IdempotencyKey(user: "ann", key: "same", fingerprint: "g"),
                                           now: 25 * Self.hour)
            #expect(try await store.idempotencyRecord(user: "ann", key: "same", now: 25 * Self.hour)
                    == IdempotencyRecord(fingerprint: "g", commandId: c.id, createdAt: 25 * Self.hour))

            // Housekeeping's prune: bob's key (made at 0) goes, ann's new one stays.
            #expect(try await store.pruneIdempotencyKeys(before: 25 * Self.hour - 24 * Self.hour) == 1)
            #expect(try await count("idempotency_keys", in: store) == 1)
            #expect(try await store.command(id: b.id) != nil, "a pruned key leaves its command")
        }
    }
}
