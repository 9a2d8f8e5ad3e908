import NIOCore
@testable import StewardManager
import StewardAPI
import StewardEngine
import Testing

/// The progress cache encodes a version when it is first read, and only then:
/// a command with many tasks changes far more often than anyone reads it.
@Suite("Progress cache")
struct ProgressCacheTests {
    static func command(_ state: CommandState) -> Command {
        var command = Command(id: 7, kind: .startService, clusterId: 1, target: "Gateway", user: "alice",
                              services: ["Gateway"], steps: [], createdAt: 0)
        command.state = state
        return command
    }

    @Test func aCommandRunToItsEndEncodesNothingUntilItsProgressIsRead() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let command = try await h.center.submit(.startService, service: "Gateway", onlySelf: false, user: "alice")
        await h.succeedAll()
        let document = try #require(h.progress.get(command.id))
        #expect(document.version > 5, "every transition is published")
        #expect(h.progress.encodedCount == 0, "no transition is encoded before someone reads it")
        #expect(String(buffer: document.buffer).contains(#""state":"COMPLETE""#))
        _ = h.progress.get(command.id)?.buffer
        #expect(h.progress.encodedCount == 1, "a version is encoded once, however often it is read")
    }

    @Test func anOlderVersionReadLateShowsItsOwnState() {
        let cache = ProgressCache()
        let running = cache.publish(Self.command(.inProgress))
        let ended = cache.publish(Self.command(.complete))
        #expect(String(buffer: ended.buffer).contains(#""state":"COMPLETE""#))
        #expect(String(buffer: running.buffer).contains(#""state":"IN_PROGRESS""#),
                "a watcher behind by a version gets that version, not the latest")
        #expect(running.version == 1 && ended.version == 2 && ended.terminal && !running.terminal)
    }

    @Test func concurrentFirstReadersShareOneEncoding() async {
        let cache = ProgressCache()
        let document = cache.publish(Self.command(.inProgress))
        let sizes = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<16 { group.addTask { document.buffer.readableBytes } }
            return await group.reduce(into: Set<Int>()) { $0.insert($1) }
        }
        #expect(sizes.count == 1 && sizes.first! > 0)
        #expect(cache.encodedCount == 1)
    }
}
