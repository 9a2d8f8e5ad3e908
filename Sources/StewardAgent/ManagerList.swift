import Foundation
import Logging
import Synchronization

/// The managers an agent may talk to (`--manager URL1,URL2,URL3`), all
/// serving the same cluster from one database. The agent talks to one at a
/// time; when a request to it fails at the connection level, it moves on to
/// the next one, round robin, and registers there.
///
/// Each move starts a new generation: the loops of one registration (poll,
/// heartbeat, results) may all see the same manager die at once, and only the
/// first of them moves the agent; the others, naming the generation they were
/// using, see it has already moved and move nothing.
final class ManagerList: Sendable {
    let urls: [String]
    private let logger: Logger
    private let state = Mutex<(index: Int, generation: UInt64)>((0, 0))

    /// `urls` as `ManagerURLs.parse` gives them: at least one, no trailing slash.
    init(_ urls: [String], logger: Logger) {
        precondition(!urls.isEmpty, "an agent needs a manager")
        self.urls = urls
        self.logger = logger
    }

    /// The manager to talk to now, and the generation that names this choice.
    var current: (url: String, generation: UInt64) {
        state.withLock { (urls[$0.index], $0.generation) }
    }

    /// The manager of `generation` failed: the next one becomes current,
    /// unless another loop already moved on from it. Returns whether this call moved.
    @discardableResult
    func moveOn(from generation: UInt64, reason: String) -> Bool {
        let moved: (from: String, to: String)? = state.withLock { state in
            guard state.generation == generation else { return nil }
            let from = urls[state.index]
            state.index = (state.index + 1) % urls.count
            state.generation += 1
            return (from, urls[state.index])
        }
        // One manager: nothing to move to; the caller says it cannot reach it.
        if let moved, urls.count > 1 {
            logger.warning("manager unreachable; moving to the next one",
                           metadata: ["from": "\(moved.from)", "to": "\(moved.to)", "reason": "\(reason)"])
        }
        return moved != nil
    }
}

/// The `--manager` option's value: one manager URL, or several separated by
/// commas (the config file may also give a JSON list).
public enum ManagerURLs {
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// The URLs in order, without a trailing slash. Refused: an empty list,
    /// an entry that is not an http:// or https:// URL with a host, a repeat.
    public static func parse(_ text: String) throws -> [String] {
        let entries = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        var urls: [String] = []
        for entry in entries {
            guard !entry.isEmpty else {
                throw Invalid(description: "the manager list '\(text)' has an empty entry")
            }
            guard let url = URL(string: entry), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
                  let host = url.host, !host.isEmpty else {
                throw Invalid(description: "'\(entry)' is not an http:// or https:// URL with a host")
            }
            let trimmed = entry.hasSuffix("/") ? String(entry.dropLast()) : entry
            guard !urls.contains(trimmed) else {
                throw Invalid(description: "the manager list names '\(trimmed)' twice")
            }
            urls.append(trimmed)
        }
        return urls
    }
}
