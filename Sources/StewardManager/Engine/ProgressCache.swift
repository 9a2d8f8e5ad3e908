import NIOCore
import StewardEngine
import NIOConcurrencyHelpers

/// Encoded progress responses, made once per change of a command rather than
/// once per request: the progress endpoint then costs a lookup and a write.
///
/// Running commands stay until they finish; finished ones are kept up to
/// `finishedCapacity`, oldest out first, and are reloaded from the store on a miss.
/// A lock rather than an actor for the same reason as `CredentialCache`.
final class ProgressCache: Sendable {
    private struct State {
        var documents: [Int64: ByteBuffer] = [:]
        var finishedOrder: [Int64] = []
        var finishedHead = 0
    }
    private let state = NIOLockedValueBox(State())
    private let finishedCapacity: Int

    init(finishedCapacity: Int = 2048) {
        self.finishedCapacity = finishedCapacity
    }

    func get(_ id: Int64) -> ByteBuffer? {
        state.withLockedValue { $0.documents[id] }
    }

    @discardableResult
    func publish(_ command: Command) -> ByteBuffer {
        let buffer = JSONBody.encode(Envelope(progressOf: command))
        let terminal = command.state.isTerminal
        state.withLockedValue { s in
            let known = s.documents[command.id] != nil
            s.documents[command.id] = buffer
            guard terminal, !known || !s.finishedOrder.contains(command.id) else { return }
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
        return buffer
    }
}
