import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
@testable import StewardManager
import Testing

/// Each request must run in a task of its own, so that the memory of its frames
/// goes with it instead of staying with the keep-alive connection's task; each
/// connection's receive buffer must start small.
@Suite("HTTP server setup")
struct HTTPServerSetupTests {
    private static func currentTask() -> Int? { withUnsafeCurrentTask { $0?.hashValue } }

    private static func request(_ path: String) -> Request {
        Request(head: HTTPRequest(method: .get, scheme: nil, authority: nil, path: path), body: .init(buffer: ByteBuffer()))
    }

    /// Calls `respond` with a response writer whose parts are returned; `Part`
    /// is inferred from `ResponseWriter.init(outbound:)`.
    private static func parts<Part>(
        _ make: (NIOAsyncChannelOutboundWriter<Part>) -> ResponseWriter,
        of respond: HTTPChannelHandler.Responder, _ request: Request
    ) async throws -> [Part] {
        let (outbound, sink) = NIOAsyncChannelOutboundWriter<Part>.makeTestingWriter()
        try await respond(request, make(outbound), EmbeddedChannel())
        var parts: [Part] = []
        var iterator = sink.makeAsyncIterator()
        // A head, a body and an end were written.
        for _ in 0..<3 { if let part = await iterator.next() { parts.append(part) } }
        return parts
    }

    @Test func theResponderRunsInAChildTaskAndItsResponseIsWritten() async throws {
        let seen = NIOLockedValueBox<[Int?]>([])
        let respond = RequestTask.isolating { request, writer, _ in
            seen.withLockedValue { $0.append(Self.currentTask()) }
            var body = try await writer.writeHead(HTTPResponse(status: .accepted))
            try await body.write(ByteBuffer(string: request.head.path ?? ""))
            try await body.finish(nil)
        }
        let parts = try await Self.parts(ResponseWriter.init(outbound:), of: respond, Self.request("/healthz"))
        // The caller is alive meanwhile, so a child task cannot share its address.
        let caller = Self.currentTask()
        #expect(caller != nil)
        let tasks = seen.withLockedValue { $0 }
        #expect(tasks.count == 1)
        #expect(tasks.allSatisfy { $0 != nil && $0 != caller })
        #expect(parts.count == 3)
        guard parts.count == 3, case .head(let head) = parts[0], case .body(let body) = parts[1], case .end = parts[2] else {
            Issue.record("not a head, a body and an end: \(parts)")
            return
        }
        #expect(head.status == .accepted)
        #expect(String(buffer: body) == "/healthz")
    }

    @Test func aResponderErrorReachesTheConnection() async throws {
        struct Refused: Error {}
        let respond = RequestTask.isolating { _, _, _ in throw Refused() }
        await #expect(throws: Refused.self) {
            _ = try await Self.parts(ResponseWriter.init(outbound:), of: respond, Self.request("/"))
        }
    }

    /// A context that keeps the connection's channel, to read its options.
    struct ChannelContext: RequestContext {
        var coreContext: CoreRequestContextStorage
        let channel: any Channel
        init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
            channel = source.channel
        }
    }

    @Test func aLiveConnectionReadsIntoASmallBufferAndIsAnswered() async throws {
        let router = Router(context: ChannelContext.self)
        router.get("recv") { _, context -> String in
            let allocator = try await context.channel.getOption(ChannelOptions.recvAllocator).get()
            return "\((allocator as? AdaptiveRecvByteBufferAllocator)?.initial ?? -1)"
        }
        let app = Application(router: router, server: .leanHTTP1(),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await client.execute(uri: "/recv", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "1024")
            }
        }
    }
}
