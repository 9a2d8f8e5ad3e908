import Foundation
import Logging
@testable import StewardManager
import Testing

/// The OpenAPI document is the contract: every route the manager serves is in
/// it, and every operation in it is served.
@Suite("OpenAPI contract")
struct OpenAPIContractTests {
    /// (METHOD, path) pairs of the document, read from its `paths:` block.
    static func documented() -> Set<String> {
        var out: Set<String> = []
        var inPaths = false
        var path = ""
        for line in OpenAPIDocument.yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            if inPaths, !line.hasPrefix(" "), !line.isEmpty { break }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "),
                      let method = ["get", "post", "put", "delete", "patch"].first(where: { line == "    \($0):" }) {
                out.insert("\(method.uppercased()) \(path)")
            }
        }
        return out
    }

    @Test func everyRouteIsDocumentedAndEveryOperationServed() async throws {
        let served = try await withTestManager { manager in
            Set(manager.router().routes.map { route in
                let path = route.path.description
                    .split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                    .reduce("") { $0 + "/" + $1 }
                return "\(route.method.rawValue) " + (path.isEmpty ? "/" : path)
            })
        }
        let documented = Self.documented()
        #expect(documented.count > 25)
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
    }
}
