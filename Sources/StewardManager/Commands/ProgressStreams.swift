import Hummingbird
import NIOCore

extension ProgressCache {
    /// The first version newer than `version`, waiting up to `seconds`; nil if none came.
    func next(of id: Int64, after version: Int, within seconds: Int) async -> Document? {
        await withTaskGroup(of: Document?.self) { group in
            group.addTask {
                for await document in self.watch(id) where document.version > version { return document }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Server-sent events: one `progress` event per version, ending after a
    /// terminal one. The permit is the user's stream slot, released at the end.
    /// Each event is the bounded document the progress endpoint answers (the
    /// same `task_limit`), so a change to one task never resends every task.
    func eventStream(_ id: Int64, taskLimit: Int, holding permit: StreamLimiter.Permit) -> Response {
        let watch = watch(id)
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
            body: .init { writer in
                defer { permit.release() }
                for await document in watch {
                    var event = ByteBuffer(string: "id: \(document.version)\nevent: progress\ndata: ")
                    event.writeImmutableBuffer(document.buffer(taskLimit: taskLimit))
                    event.writeString("\n\n")
                    try await writer.write(event)
                }
                try await writer.finish(nil)
            })
    }
}
