import NIOConcurrencyHelpers
import NIOCore
import StewardAPI
import StewardEngine

/// Encoded progress responses, made once per change of a command rather than
/// once per request: the progress endpoint then costs a lookup and a write.
/// Each change gets a version, and watchers (event streams, long polls) are
/// handed every new document as it is published, until a terminal state.
///
/// Running commands stay until they finish; finished ones are kept up to
/// `finishedCapacity`, oldest out first, and are reloaded from the store on a miss.
/// A lock rather than an actor: this sits on every progress request's path.
final class ProgressCache: Sendable {
    struct Document: Sendable {
        let version: Int
        let buffer: ByteBuffer
        let terminal: Bool
    }

    typealias Watch = AsyncStream<Document>

    private struct State {
        var documents: [Int64: Document] = [:]
        var finishedOrder: [Int64] = []
        var finishedHead = 0
        var watchers: [Int64: [UInt64: Watch.Continuation]] = [:]
        var nextWatcher: UInt64 = 0
        var closed = false
    }
    private let state = NIOLockedValueBox(State())
    private let finishedCapacity: Int

    init(finishedCapacity: Int = 2048) {
        self.finishedCapacity = finishedCapacity
    }

    func get(_ id: Int64) -> Document? {
        state.withLockedValue { $0.documents[id] }
    }

    @discardableResult
    func publish(_ command: Command) -> Document {
        let buffer = JSONBody.encode(Envelope(progressOf: command))
        let terminal = command.state.isTerminal
        let (document, watchers) = state.withLockedValue { s -> (Document, [Watch.Continuation]) in
            let previous = s.documents[command.id]
            let document = Document(version: (previous?.version ?? 0) + 1, buffer: buffer, terminal: terminal)
            s.documents[command.id] = document
            let watchers = Array((s.watchers[command.id] ?? [:]).values)
            if terminal { s.watchers[command.id] = nil }
            if terminal, previous?.terminal != true {
                s.finishedOrder.append(command.id)
                if s.finishedOrder.count - s.finishedHead > finishedCapacity {
                    s.documents[s.finishedOrder[s.finishedHead]] = nil
                    s.finishedHead += 1
                    if s.finishedHead > finishedCapacity {
                        s.finishedOrder.removeFirst(s.finishedHead)
                        s.finishedHead = 0
                    }
                }
            }
            return (document, watchers)
        }
        for watcher in watchers {
            watcher.yield(document)
            if terminal { watcher.finish() }
        }
        return document
    }

    /// The current document, then every new one, ending after a terminal one
    /// (or at once if the command has ended, or on shutdown).
    func watch(_ id: Int64) -> Watch {
        let (stream, continuation) = Watch.makeStream(bufferingPolicy: .bufferingNewest(8))
        let (current, registered) = state.withLockedValue { s -> (Document?, Bool) in
            let document = s.documents[id]
            guard let document, !document.terminal, !s.closed else { return (document, false) }
            s.nextWatcher += 1
            let key = s.nextWatcher
            s.watchers[id, default: [:]][key] = continuation
            continuation.onTermination = { [weak self] _ in self?.unwatch(id, key) }
            return (document, true)
        }
        if let current { continuation.yield(current) }
        // Not registered (unknown, ended, or shutting down): nothing more will come.
        if !registered { continuation.finish() }
        return stream
    }

    /// On shutdown: ends every stream, so that the server need not wait for them.
    func close() {
        let all = state.withLockedValue { s -> [Watch.Continuation] in
            s.closed = true
            let all = s.watchers.values.flatMap(\.values)
            s.watchers = [:]
            return all
        }
        for watcher in all { watcher.finish() }
    }

    private func unwatch(_ id: Int64, _ key: UInt64) {
        state.withLockedValue { s in
            s.watchers[id]?[key] = nil
            if s.watchers[id]?.isEmpty == true { s.watchers[id] = nil }
        }
    }
}
