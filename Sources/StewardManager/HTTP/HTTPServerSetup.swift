import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Each request answered in a child task of its own, which ends with the request.
///
/// Why: Hummingbird answers every request of a keep-alive connection inside the
/// connection's one task, and a Swift task keeps the slabs its async frames
/// were allocated in until the task itself ends. The responder chain (logger
/// scope, middlewares, router, route handler, JSON decoding) grows the
/// connection's task by about 8 KiB of slabs on its first request, held for as
/// long as the connection stays open: at 5,000 agents with two connections each,
/// some 80 MB for no work. A child task's slabs go with it. Measured in
/// docs/benchmarks.md, "Issue 11, part 3: memory per connection".
enum RequestTask {
    /// `responder`, run in a child task per request.
    static func isolating(_ responder: @escaping HTTPChannelHandler.Responder) -> HTTPChannelHandler.Responder {
        { request, writer, channel in
            let handoff = WriterHandoff(writer)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await responder(request, handoff.take(), channel) }
                try await group.waitForAll()
            }
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 as `.http1()`, with each request in a child task (`RequestTask`)
    /// and a smaller first receive buffer (`LeanHTTP1Channel`).
    static func leanHTTP1(configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        .init { responder in
            LeanHTTP1Channel(http1: HTTP1Channel(responder: RequestTask.isolating(responder), configuration: configuration))
        }
    }
}

/// Hummingbird's HTTP1Channel, with a receive buffer that starts at 1 KiB.
///
/// Why: NIO keeps each connection's last receive buffer for its next read, at
/// the size its allocator asked for: 2 KiB by default, held by every idle
/// keep-alive connection after its first request. An agent's request (headers
/// and JSON body) fits in 1 KiB; a larger one is read in more reads, and the
/// adaptive allocator grows the buffer for the reads that follow.
struct LeanHTTP1Channel: ServerChildChannel {
    static let receiveBuffer = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 1024, maximum: 65536)
    let http1: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        do {
            try channel.syncOptions?.setOption(ChannelOptions.recvAllocator, value: Self.receiveBuffer)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return http1.setup(channel: channel, logger: logger)
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

/// Hands the connection's response writer (not copyable, so not capturable by
/// the child task's closure) to the one child task that answers the request.
private final class WriterHandoff: @unchecked Sendable {
    // Unchecked: written once here, taken once by the one child task, after
    // the task group's creation has ordered the two.
    private var writer: ResponseWriter?

    init(_ writer: consuming ResponseWriter) { self.writer = consume writer }

    func take() -> ResponseWriter {
        guard let writer = writer.take() else { preconditionFailure("a request's response writer is taken once") }
        return writer
    }
}
