import Hummingbird
import HummingbirdCore

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
    /// HTTP/1.1 as `.http1()`, with each request in a child task (`RequestTask`).
    static func http1RequestTasks(configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        .init { responder in
            HTTP1Channel(responder: RequestTask.isolating(responder), configuration: configuration)
        }
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
