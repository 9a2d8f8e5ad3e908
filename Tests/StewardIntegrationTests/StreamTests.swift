#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardClient
import StewardAPI
import Testing

extension IntegrationTests {
    /// The `data:` documents of a server-sent event stream, with their ids.
    static func events(_ body: String) throws -> [(Int, Envelope<ProgressDocument>)] {
        try body.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { block in
            var id = 0
            var data = ""
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { id = Int(line.dropFirst(4)) ?? 0 }
                if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            }
            return (id, try JSONDecoder().decode(Envelope<ProgressDocument>.self, from: Data(data.utf8)))
        }
    }

    @Test("progress as server-sent events, followed to the end; long-poll answers at the next change")
    func progressEventStream() async throws {
        try await withCluster { cluster, api in
            let auth = "Basic " + Data("admin:\(TestCluster.password)".utf8).base64EncodedString()
            _ = try await api.saveConfiguration(instanceValue("Storage", "StorageNode", "host-2", "startup_delay_ms", "1500", restart: false))
            let started = try await api.service(.start, "Gateway", onlySelf: false)
            let url = api.baseURL + "/web/v1/common/command/\(started.envelope.id)/progress"

            // Long poll: the answer comes when the next version exists.
            let first = try await RawHTTP.send(.GET, url, headers: [("Authorization", auth)])
            let version = try #require(first.first("X-Progress-Version").flatMap(Int.init))
            let next = try await RawHTTP.send(.GET, url + "?wait=30&version=\(version)", headers: [("Authorization", auth)])
            #expect(try #require(next.first("X-Progress-Version").flatMap(Int.init)) > version)

            let stream = try await RawHTTP.send(.GET, url, headers: [("Authorization", auth), ("Accept", "text/event-stream")])
            #expect(stream.status == 200)
            #expect(stream.first("Content-Type") == "text/event-stream")
            let events = try Self.events(stream.body)
            #expect(events.count >= 2, "one event per change")
            for (a, b) in zip(events, events.dropFirst()) {
                #expect(a.0 < b.0)
                #expect(a.1.totalProgress <= b.1.totalProgress)
            }
            #expect(events.last?.1.state == .complete)
            #expect(events.last?.1.totalProgress == 100)
            // A finished command's stream is its last document, then the end.
            let ended = try await RawHTTP.send(.GET, url, headers: [("Authorization", auth), ("Accept", "text/event-stream")])
            #expect(try Self.events(ended.body).count == 1)
            #expect(try await RawHTTP.send(.GET, url + "?wait=99", headers: [("Authorization", auth)]).status == 400)
        }
    }

    @Test("an open event stream ends cleanly when the manager shuts down")
    func eventStreamEndsOnShutdown() async throws {
        try await withCluster { cluster, api in
            _ = try await api.saveConfiguration(instanceValue("Coordinator", "CoordinatorServer", "host-1", "startup_delay_ms", "120000", restart: false))
            let started = try await api.service(.start, "Coordinator", onlySelf: true)
            var received: [Envelope<ProgressDocument>] = []
            // The stream is read as it comes; the manager is stopped once it is surely open.
            for try await doc in api.events(for: started.envelope.id) {
                received.append(doc)
                if received.count == 1 { await cluster.signalManager(SIGTERM) }
            }
            #expect(!received.isEmpty, "the stream ended cleanly, without an error")
            let events = received.map { (0, $0) }
            #expect(events.allSatisfy { $0.1.state == .inProgress })
        }
    }
}
