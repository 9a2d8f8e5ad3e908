import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import StewardManager
import StewardAPI
import StewardEngine
import Testing

/// Issue 11, part 2: commands of 1,200 tasks, through the real router. Their
/// hosts have no agents, so a started task fails at once (14003, host lost):
/// real commands, ended before the POST answers. Wide fails 1,200 tasks in
/// its first step and skips three; Gated fails one, then skips 1,200.
@Suite("A big command's progress and its paged tasks")
struct BigCommandRouteTests {
    static let admin = basicAuth("admin", "Test-pass-1")
    static let hosts = 1_200

    /// Wide: WideServer on every host (step 0), Tail on three (step 1).
    /// Gated: Gate on one host (step 0), Spread on every host (step 1).
    static var stack: String {
        let names = (1...hosts).map { "\"host-\($0)\"" }.joined(separator: ",")
        let process = #"{"start": ["/bin/sleep", "100000"], "check": {"type": "process"}}"#
        return """
            {"name": "wide", "version": "1", "cluster": {"id": 1, "name": "wide", "hosts": [\(names)]},
             "services": [{"name": "Wide", "roles": [{"name": "WideServer", "hosts": [\(names)], "process": \(process)},
                                                     {"name": "Tail", "hosts": ["host-1", "host-2", "host-3"], "process": \(process)}]},
                          {"name": "Gated", "roles": [{"name": "Gate", "hosts": ["host-1"], "process": \(process)},
                                                      {"name": "Spread", "hosts": [\(names)], "process": \(process)}]}]}
            """
    }

    /// A manager of that stack with each service's start run to its end; `body` gets the commands' ids.
    static func withBigCommands(_ body: @Sendable (any TestClientProtocol, _ wide: Int64, _ gated: Int64) async throws -> Void) async throws {
        let file = NSTemporaryDirectory() + "steward-wide-\(UUID().uuidString).json"
        try stack.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await withTestRouter(configure: { $0.stack = file }) { _, client in
            var ids: [Int64] = []
            for service in ["Wide", "Gated"] {
                let started = try await client.execute(uri: "/web/v1/maintain/cluster/1/service/\(service)/start", method: .post,
                                                       headers: [.authorization: admin, .contentType: "application/json"],
                                                       body: ByteBuffer(string: #"{"only_self": true}"#))
                let envelope = try decode(NoResult.self, started)
                #expect(started.status == .ok && envelope.id > 0 && envelope.state == .failed, "\(envelope.errorDescription)")
                ids.append(envelope.id)
            }
            try await body(client, ids[0], ids[1])
        }
    }

    static func get(_ client: any TestClientProtocol, _ uri: String, accept: String = "application/json") async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: [.authorization: admin, .accept: accept])
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> Envelope<T> {
        try JSONDecoder().decode(Envelope<T>.self, from: Data(buffer: response.body))
    }

    /// The response's encoded size against what its structure allows: the
    /// listed tasks and the fail entities (each at most the largest of its
    /// kind) plus a fixed allowance for the envelope and each step's own fields.
    static func boundedSize(_ response: TestResponse, _ doc: ProgressDocument) -> (size: Int, bound: Int) {
        let tasks = doc.stepList.flatMap(\.tasks)
        let largestTask = tasks.map { WireJSON.encode($0).count }.max() ?? 0
        let largestFailure = doc.failEntityList.map { WireJSON.encode($0).count }.max() ?? 0
        return (response.body.readableBytes, 2_048 + doc.stepList.count * 1_024 + tasks.count * (largestTask + 1)
                    + doc.failEntityList.count * (largestFailure + 1))
    }

    @Test func theDefaultDocumentListsTwentyTasksPerStepAndCountsThemAll() async throws {
        try await Self.withBigCommands { client, id, gated in
            let response = try await Self.get(client, "/web/v1/common/command/\(id)/progress")
            #expect(response.status == .ok)
            let envelope = try Self.decode(ProgressDocument.self, response)
            #expect(envelope.state == .failed && envelope.errorCode == ErrorCode.hostLost.rawValue)
            let doc = try #require(envelope.resObj)
            // The seed's fields as they were: every failed instance is a fail entity.
            #expect(doc.totalStepSize == 2 && doc.stepList.map(\.name) == ["Start WideServer", "Start Tail"])
            #expect(doc.failEntityList.count == Self.hosts)
            // Texts name ten hosts or instances and count the rest.
            #expect(doc.stepList[0].description.hasSuffix("host-10 and 1190 more hosts"), "\(doc.stepList[0].description)")
            #expect(envelope.errorDescription.hasSuffix("and 1190 more instances"), "\(envelope.errorDescription)")
            let (wide, tail) = (doc.stepList[0], doc.stepList[1])
            #expect(wide.taskCount == Self.hosts && wide.taskStates.failed == Self.hosts && wide.state == .failed)
            #expect(wide.tasks.count == ProgressDocument.defaultTaskLimit)
            #expect(wide.tasksOmitted == Self.hosts - ProgressDocument.defaultTaskLimit)
            #expect(wide.tasks.map(\.id) == wide.tasks.map(\.id).sorted(), "failed ones, in id order")
            #expect(tail.taskCount == 3 && tail.taskStates.skipped == 3 && tail.tasks.count == 3 && tail.tasksOmitted == 0)
            let (size, bound) = Self.boundedSize(response, doc)
            #expect(size <= bound, "\(size) bytes for \(doc.stepList.flatMap(\.tasks).count) tasks listed")

            // Gated: one failure, 1,200 tasks skipped; its document is a few kilobytes.
            let skipped = try await Self.get(client, "/web/v1/common/command/\(gated)/progress")
            let skippedDoc = try #require(try Self.decode(ProgressDocument.self, skipped).resObj)
            #expect(skippedDoc.failEntityList.map(\.failEntity) == ["Gate@host-1"])
            #expect(skippedDoc.stepList[1].taskStates.skipped == Self.hosts && skippedDoc.stepList[1].tasks.count == 20)
            #expect(skippedDoc.stepList[1].tasks.map(\.id) == Array(skippedDoc.stepList[1].tasks.map(\.id).sorted()))
            let (gatedSize, gatedBound) = Self.boundedSize(skipped, skippedDoc)
            #expect(gatedSize <= gatedBound && gatedSize < 16_384, "1,200 tasks do not make the document grow: \(gatedSize) bytes")

            // Every task, when asked for: what the default leaves out.
            let full = try await Self.get(client, "/web/v1/common/command/\(gated)/progress?task_limit=500")
            let fullDoc = try #require(try Self.decode(ProgressDocument.self, full).resObj)
            #expect(fullDoc.stepList[1].tasks.count == 500 && fullDoc.stepList[1].tasksOmitted == Self.hosts - 500)
            #expect(full.body.readableBytes > 10 * gatedSize)
            let none = try #require(try Self.decode(ProgressDocument.self, try await Self.get(
                client, "/web/v1/common/command/\(id)/progress?task_limit=0")).resObj)
            #expect(none.stepList.allSatisfy { $0.tasks.isEmpty && $0.tasksOmitted == $0.taskCount })
        }
    }

    @Test func eventStreamsAndLongPollsSendTheSameBoundedDocument() async throws {
        try await Self.withBigCommands { client, id, _ in
            let plain = try await Self.get(client, "/web/v1/common/command/\(id)/progress")
            let version = try #require(plain.headers[.progressVersion])
            // The command has ended: its stream is one event, the document the endpoint answers.
            let stream = try await Self.get(client, "/web/v1/common/command/\(id)/progress", accept: "text/event-stream")
            #expect(stream.status == .ok)
            let text = String(buffer: stream.body)
            #expect(text == "id: \(version)\nevent: progress\ndata: \(String(buffer: plain.body))\n\n")
            let limited = try await Self.get(client, "/web/v1/common/command/\(id)/progress?task_limit=2", accept: "text/event-stream")
            let data = try #require(String(buffer: limited.body).split(separator: "\n").first { $0.hasPrefix("data: ") })
            let event = try JSONDecoder().decode(Envelope<ProgressDocument>.self, from: Data(data.dropFirst(6).utf8))
            #expect(event.resObj?.stepList.map(\.tasks.count) == [2, 2])
            // A long poll for an older version answers the current one, bounded alike.
            let poll = try await Self.get(client, "/web/v1/common/command/\(id)/progress?wait=5&version=0&task_limit=3")
            #expect(poll.headers[.progressVersion] == version)
            #expect(try Self.decode(ProgressDocument.self, poll).resObj?.stepList.map(\.tasks.count) == [3, 3])
        }
    }

    @Test func aBadTaskLimitIsRefused() async throws {
        try await Self.withBigCommands { client, id, _ in
            for bad in ["501", "-1", "x", "", "1.5", "99999999999999999999"] {
                let response = try await Self.get(client, "/web/v1/common/command/\(id)/progress?task_limit=\(bad)")
                #expect(response.status == .badRequest, "task_limit=\(bad)")
                let envelope = try Self.decode(NoResult.self, response)
                #expect(envelope.state == .failed && envelope.errorCode == ErrorCode.invalidParameter.rawValue, "task_limit=\(bad)")
            }
        }
    }

    @Test func aStepsTasksArePagedInIdOrderAndFilteredByState() async throws {
        try await Self.withBigCommands { client, id, _ in
            let base = "/web/v1/common/command/\(id)/steps"
            let first = try await Self.get(client, "\(base)/0/tasks")
            #expect(first.status == .ok)
            #expect(first.headers[.progressVersion] == (try await Self.get(client, "/web/v1/common/command/\(id)/progress")).headers[.progressVersion])
            let page = try #require(try Self.decode(StepTaskPage.self, first).resObj)
            #expect(page.total == Self.hosts && page.tasks.count == StepTaskPage.defaultLimit)
            let ids = page.tasks.map(\.id)
            #expect(ids == ids.sorted() && Set(ids).count == ids.count)
            #expect(page.tasks.allSatisfy { $0.state == .failed && $0.errorCode == ErrorCode.hostLost.rawValue })

            var seen: [Int64] = []
            for offset in stride(from: 0, to: Self.hosts, by: 500) {
                let next = try #require(try Self.decode(StepTaskPage.self, try await Self.get(
                    client, "\(base)/0/tasks?offset=\(offset)&limit=500")).resObj)
                seen += next.tasks.map(\.id)
            }
            #expect(seen.count == Self.hosts && seen == seen.sorted() && Set(seen).count == Self.hosts, "every task once")
            #expect(seen.prefix(100) == ids[...])

            let past = try #require(try Self.decode(StepTaskPage.self, try await Self.get(client, "\(base)/0/tasks?offset=5000")).resObj)
            #expect(past.total == Self.hosts && past.tasks.isEmpty)
            let failed = try #require(try Self.decode(StepTaskPage.self, try await Self.get(
                client, "\(base)/0/tasks?state=FAILED&offset=1190&limit=20")).resObj)
            #expect(failed.total == Self.hosts && failed.tasks.map(\.id) == Array(seen.suffix(10)))
            let succeeded = try #require(try Self.decode(StepTaskPage.self, try await Self.get(client, "\(base)/0/tasks?state=SUCCEEDED")).resObj)
            #expect(succeeded.total == 0 && succeeded.tasks.isEmpty)
            let skipped = try #require(try Self.decode(StepTaskPage.self, try await Self.get(client, "\(base)/1/tasks?state=SKIPPED")).resObj)
            #expect(skipped.total == 3 && skipped.tasks.map(\.instance) == ["Tail@host-1", "Tail@host-2", "Tail@host-3"])
        }
    }

    @Test func unknownCommandsAndStepsAre404AndBadParameters400() async throws {
        try await Self.withBigCommands { client, id, _ in
            let refusals: [(String, HTTPResponse.Status, ErrorCode)] = [
                ("/web/v1/common/command/\(id)/steps/2/tasks", .notFound, .stepNotFound),
                ("/web/v1/common/command/\(id)/steps/9223372036854775807/tasks", .notFound, .stepNotFound),
                ("/web/v1/common/command/999/steps/0/tasks", .notFound, .commandNotFound),
                ("/web/v1/common/command/0/steps/0/tasks", .badRequest, .invalidParameter),
                ("/web/v1/common/command/\(id)/steps/-1/tasks", .badRequest, .invalidParameter),
                ("/web/v1/common/command/\(id)/steps/first/tasks", .badRequest, .invalidParameter),
                ("/web/v1/common/command/\(id)/steps/0/tasks?limit=0", .badRequest, .invalidParameter),
                ("/web/v1/common/command/\(id)/steps/0/tasks?limit=501", .badRequest, .invalidParameter),
                ("/web/v1/common/command/\(id)/steps/0/tasks?offset=-1", .badRequest, .invalidParameter),
                ("/web/v1/common/command/\(id)/steps/0/tasks?state=DONE", .badRequest, .invalidParameter),
                // Parameters are checked before the command is looked up.
                ("/web/v1/common/command/999/steps/0/tasks?limit=x", .badRequest, .invalidParameter),
            ]
            for (uri, status, code) in refusals {
                let response = try await Self.get(client, uri)
                #expect(response.status == status, "\(uri)")
                let envelope = try Self.decode(NoResult.self, response)
                #expect(envelope.state == .failed && envelope.errorCode == code.rawValue, "\(uri): \(envelope.errorDescription)")
            }
            // The same guard as the progress endpoint: no credentials, no tasks.
            let anonymous = try await client.execute(uri: "/web/v1/common/command/\(id)/steps/0/tasks", method: .get,
                                                     headers: [.accept: "application/json"])
            #expect(anonymous.status == .unauthorized)
            #expect(try Self.decode(NoResult.self, anonymous).errorCode == ErrorCode.unauthenticated.rawValue)
        }
    }
}
