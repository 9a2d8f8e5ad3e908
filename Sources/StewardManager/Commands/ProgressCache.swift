import NIOConcurrencyHelpers
import NIOCore
import StewardAPI
import StewardEngine

/// Progress responses, encoded at most once per change of a command (when
/// first asked for) rather than once per request: the progress endpoint then
/// costs a lookup and a write.
/// Each change gets a version, and watchers (event streams, long polls) are
/// handed every new document as it is published, until a terminal state.
///
/// Running commands stay until they finish; finished ones are kept up to
/// `finishedCapacity`, oldest out first, and are reloaded from the store on a miss.
/// A lock rather than an actor: this sits on every progress request's path.
final class ProgressCache: Sendable {
    struct Document: Sendable {
        let version: Int
        let terminal: Bool
        fileprivate let body: Body

        /// The encoded response with the default number of tasks per step,
        /// made by its first reader and kept.
        var buffer: ByteBuffer { body.buffer }

        /// The command as of this version: other task limits and the pages
        /// of a step's tasks are answered from it, so they agree with `buffer`.
        var command: Command { body.command }

        /// The response with at most `taskLimit` tasks per step: the kept
        /// one for the default, else encoded for this request.
        func buffer(taskLimit: Int) -> ByteBuffer {
            taskLimit == ProgressDocument.defaultTaskLimit
                ? body.buffer : JSONBody.encode(Envelope(progressOf: body.command, taskLimit: taskLimit))
        }
    }

    /// A version's command, encoded at most once, by its first reader rather
    /// than at publication: encoding the whole document on every transition
    /// cost a 1,000-task command milliseconds per result under the command
    /// center's gate, most of its start's wall time on 100 agents (issue 11),
    /// while a client reads only a few of those versions.
    fileprivate final class Body: Sendable {
        let command: Command
        private let encoded = NIOLockedValueBox<ByteBuffer?>(nil)
        private let encodes: NIOLockedValueBox<Int>

        init(_ command: Command, counting encodes: NIOLockedValueBox<Int>) {
            self.command = command.state.isTerminal ? Self.withoutUnshownOutput(command) : command
            self.encodes = encodes
        }

        /// A finished command as the cache keeps it: the document shows only
        /// failed tasks' output, and 2,048 cached 1,000-task commands with
        /// every task's 4 KB tail could hold gigabytes. Done once, when the
        /// command ends; a running one's version is replaced at its next change.
        private static func withoutUnshownOutput(_ command: Command) -> Command {
            var slim = command
            for s in slim.steps.indices {
                for t in slim.steps[s].tasks.indices where slim.steps[s].tasks[t].state != .failed {
                    slim.steps[s].tasks[t].outputTail = ""
                }
            }
            return slim
        }

        var buffer: ByteBuffer {
            // Under the lock: concurrent first readers wait for one encoding rather than each make one.
            encoded.withLockedValue { encoded in
                if let encoded { return encoded }
                let buffer = JSONBody.encode(Envelope(progressOf: command))
                encoded = buffer
                encodes.withLockedValue { $0 += 1 }
                return buffer
            }
        }
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
    private let encodes = NIOLockedValueBox(0)

    /// How many documents have been encoded so far (each version at most once):
    /// tests hold the cache to encoding only what is read.
    var encodedCount: Int { encodes.withLockedValue { $0 } }

    init(finishedCapacity: Int = 2048) {
        self.finishedCapacity = finishedCapacity
    }

    func get(_ id: Int64) -> Document? {
        state.withLockedValue { $0.documents[id] }
    }

    @discardableResult
    func publish(_ command: Command) -> Document {
        let body = Body(command, counting: encodes)
        let terminal = command.state.isTerminal
        let (document, watchers) = state.withLockedValue { s -> (Document, [Watch.Continuation]) in
            let previous = s.documents[command.id]
            let document = Document(version: (previous?.version ?? 0) + 1, terminal: terminal, body: body)
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

    /// A command as the store has it, read after another manager's notice (or
    /// a miss): published unless this cache has it as far along already, so
    /// that what a client sees never goes back when reads cross.
    func publishStored(_ command: Command) {
        if let known = get(command.id), known.terminal || known.command.stage >= command.stage { return }
        publish(command)
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
