import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
@testable import StewardManager
import StewardAPI
import Testing

/// What the middleware around the routes promises, through the real router.
@Suite("Route guards")
struct RouteGuardTests {
    static let admin = "Basic " + Data("admin:Test-pass-1".utf8).base64EncodedString()

    static func json<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> Envelope<T> {
        try JSONDecoder().decode(Envelope<T>.self, from: Data(buffer: response.body))
    }

    /// A change asked of a cluster that is not there is refused, and audited like any refused change.
    @Test func aChangeToAnUnknownClusterIsAuditedAndAViewerIsRefusedFirst() async throws {
        try await WebRoutesTests.withManager { client in
            let wrong = try await client.execute(uri: "/web/v1/maintain/cluster/99/service/Gateway/start", method: .post,
                                                 headers: [.authorization: Self.admin, .contentType: "application/json"],
                                                 body: ByteBuffer(string: "{}"))
            #expect(wrong.status == .notFound)
            #expect(try Self.json(NoResult.self, wrong).errorCode == ErrorCode.clusterNotFound.rawValue)
            let audit = try await client.execute(uri: "/web/v1/audit?action=SERVICE_START", method: .get,
                                                 headers: [.authorization: Self.admin])
            let entries = try Self.json(AuditList.self, audit).resObj?.entries ?? []
            #expect(entries.map(\.result) == [.failure])
            #expect(entries.first?.httpStatus == 404)

            let body = #"{"user_name":"vera","role":"viewer","password":"Viewer-pass-1"}"#
            let created = try await client.execute(uri: "/web/v1/access/users", method: .post,
                                                   headers: [.authorization: Self.admin, .contentType: "application/json"],
                                                   body: ByteBuffer(string: body))
            #expect(created.status == .ok)
            let viewer = "Basic " + Data("vera:Viewer-pass-1".utf8).base64EncodedString()
            let refused = try await client.execute(uri: "/web/v1/config/cluster/99/save", method: .post,
                                                   headers: [.authorization: viewer, .contentType: "application/json"],
                                                   body: ByteBuffer(string: "{}"))
            #expect(refused.status == .forbidden, "the role is checked before the cluster")
        }
    }

    /// Real CAS clients send more than the three fields the login reads; a
    /// duplicate or a broken one of those must not lose the login.
    @Test func aCASFormWithExtraDuplicateOrBrokenFieldsStillLogsIn() async throws {
        try await WebRoutesTests.withManager { client in
            let page = try await client.execute(uri: "/cas/login", method: .get)
            let html = String(buffer: page.body)
            let lt = try #require(html.range(of: #"LT-[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(html[$0]) })
            let session = try #require(page.headers[values: .setCookie].first?.split(separator: ";").first.map(String.init))
            #expect(session.hasPrefix("casSessionId="))
            let form = "execution=e1%zz&_eventId=submit&username=admin&password=Test-pass-1&lt=\(lt)&submit=Login&submit=Login"
            let login = try await client.execute(uri: "/cas/login", method: .post,
                                                 headers: [.contentType: "application/x-www-form-urlencoded", .cookie: session],
                                                 body: ByteBuffer(string: form))
            #expect(login.status == .ok)
            let cookies = login.headers[values: .setCookie]
            #expect(cookies.first?.hasPrefix("casSessionId=; Path=/cas; HttpOnly; SameSite=Lax; Max-Age=0") == true, "\(cookies)")
            #expect(cookies.last?.hasPrefix("CASTGC=TGT-") == true, "\(cookies)")
            #expect(cookies.last?.hasSuffix("; Path=/; HttpOnly; SameSite=Lax") == true, "attributes in a fixed order: \(cookies)")
        }
    }
}
