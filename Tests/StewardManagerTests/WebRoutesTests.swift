import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
@testable import StewardManager
import StewardWeb
import Testing

/// The web UI's files as the manager serves them, through its real router.
@Suite("Web UI routes")
struct WebRoutesTests {
    static func withManager(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await withTestRouter { _, client in try await body(client) }
    }

    @Test func theShellAndItsFilesAreServedWithAStrictPolicy() async throws {
        try await Self.withManager { client in
            for (path, type) in [("/", "text/html"), ("/ui/app.js", "text/javascript"), ("/ui/app.css", "text/css"),
                                 ("/web/modify_password.html", "text/html"), ("/ui/favicon.svg", "image/svg+xml")] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers[.contentType]?.hasPrefix(type) == true, "\(path)")
                #expect(response.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true, "\(path)")
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true, "\(path)")
                #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(path)")
                #expect(response.body.readableBytes > 100, "\(path)")
            }
            let page = try await client.execute(uri: "/", method: .get)
            #expect(String(buffer: page.body).contains("/ui/app.js"))
        }
    }

    @Test func anUnchangedFileIsNotSentAgain() async throws {
        try await Self.withManager { client in
            let first = try await client.execute(uri: "/ui/app.js", method: .get)
            let etag = try #require(first.headers[.eTag])
            let again = try await client.execute(uri: "/ui/app.js", method: .get, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)
            let stale = try await client.execute(uri: "/ui/app.js", method: .get, headers: [.ifNoneMatch: "\"other\""])
            #expect(stale.status == .ok)
            #expect(try await client.execute(uri: "/ui/app.css", method: .get).headers[.eTag] != etag)
        }
    }

    @Test func onlyTheUIsOwnFilesAreServed() async throws {
        try await Self.withManager { client in
            for path in ["/ui/nope.js", "/ui/..%2FPackage.swift", "/ui/", "/ui/app.js.map"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .notFound, "\(path)")
                #expect(String(buffer: response.body).contains("\"state\":\"FAILED\""), "\(path)")
            }
        }
    }

    /// Every script a page loads and every module a script imports is served:
    /// a file missing from WebAssets.files would break the UI only in a browser.
    @Test func everyReferencedFileIsServed() throws {
        var texts = [String(decoding: WebAssets.index.bytes, as: UTF8.self),
                     String(decoding: WebAssets.modifyPassword.bytes, as: UTF8.self)]
        texts += WebAssets.files.values.map { String(decoding: $0.bytes, as: UTF8.self) }
        var referenced: Set<String> = []
        let patterns = [#"/ui/([A-Za-z0-9_.-]+)"#, #"from '\./([A-Za-z0-9_.-]+)'"#]
        for text in texts {
            for pattern in patterns {
                let regex = try Regex(pattern)
                for match in text.matches(of: regex) {
                    if let name = match.output[1].substring { referenced.insert(String(name)) }
                }
            }
        }
        #expect(referenced.count >= 10)
        #expect(referenced.subtracting(WebAssets.files.keys).isEmpty, "\(referenced.subtracting(WebAssets.files.keys))")
        #expect(Set(WebAssets.files.keys).subtracting(referenced).isEmpty, "served but unused: \(Set(WebAssets.files.keys).subtracting(referenced))")
    }

    /// The UI's own requests get a 401 without a Basic challenge, so that a
    /// browser shows no prompt of its own; other clients keep the challenge.
    @Test func theUIGetsNoBasicChallenge() async throws {
        try await Self.withManager { client in
            let plain = try await client.execute(uri: "/web/v1/ping", method: .get)
            #expect(plain.status == .unauthorized)
            #expect(plain.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true)
            let ui = try await client.execute(uri: "/web/v1/ping", method: .get, headers: [.xRequestedWith: "XMLHttpRequest"])
            #expect(ui.status == .unauthorized)
            #expect(ui.headers[.wwwAuthenticate] == nil)
            for headers: HTTPFields in [[.accept: "text/event-stream"], [.cookie: "JSESSIONID=ended"]] {
                let response = try await client.execute(uri: "/web/v1/common/command/1/progress", method: .get, headers: headers)
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == nil)
            }
        }
    }

    @Test func afterLoginOnlyPathsOnThisManagerAreFollowed() {
        #expect(CASController.localPath("/") == "/")
        #expect(CASController.localPath("/#/commands/4") == "/#/commands/4")
        for outside in [nil, "", "//evil.example/", "/\\evil.example", "https://evil.example/", "evil", "/a\nb",
                        "/\t/evil.example", "/ /evil.example", "/\r/evil.example"] {
            #expect(CASController.localPath(outside) == nil, "\(outside ?? "nil")")
        }
    }
}
