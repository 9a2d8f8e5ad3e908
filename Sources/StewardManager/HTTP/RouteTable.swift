import HTTPTypes
import NIOConcurrencyHelpers

/// The routes the router serves, by path pattern, so that a known path asked
/// with another method answers 405 with `Allow` rather than 404.
final class RouteTable: Sendable {
    private let routes = NIOLockedValueBox<[(pattern: [Substring], methods: Set<String>)]>([])

    func load(_ list: [(method: String, path: String)]) {
        var byPath: [String: Set<String>] = [:]
        for route in list { byPath[route.path, default: []].insert(route.method) }
        routes.withLockedValue { table in
            table = byPath.map { (Self.split($0.key), $0.value) }
        }
    }

    /// The methods a path accepts, empty if no route has that path.
    func methods(for path: String) -> Set<String> {
        let parts = Self.split(path)
        return routes.withLockedValue { table in
            table.filter { Self.matches($0.pattern, parts) }.reduce(into: Set<String>()) { $0.formUnion($1.methods) }
        }
    }

    static func split(_ path: String) -> [Substring] { path.split(separator: "/", omittingEmptySubsequences: true) }

    static func matches(_ pattern: [Substring], _ parts: [Substring]) -> Bool {
        guard pattern.count == parts.count else { return false }
        return zip(pattern, parts).allSatisfy { p, s in p.hasPrefix(":") || p.hasPrefix("{") || p == s }
    }
}
