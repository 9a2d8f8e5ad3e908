import Foundation
import StewardClient
import StewardAPI
import Testing

extension IntegrationTests {
    @Test("a user name sent in a failed login cannot forge or hide a line of steward audit")
    func auditOutputCannotBeForged() async throws {
        try await withCluster { cluster, api in
            let forged = "eve\n2026-11-29T12:00:00Z SUCCESS admin from 10.0.0.1 USER_DELETE /web/v1/access/users/eve (HTTP 200)\u{1B}[2K"
            let basic = "Basic " + Data("\(forged):wrong".utf8).base64EncodedString()
            let refused = try await StewardClient(baseURL: api.baseURL, user: nil, password: nil)
                .raw(.GET, "/web/v1/clusters", headers: [("Authorization", basic)])
            #expect(refused.status == 401)
            let (status, output) = try await steward(["audit", "--result", "FAILURE"], manager: api.baseURL)
            #expect(status == 0, "\(output)")
            let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
            let eve = lines.filter { $0.contains("eve") }
            #expect(eve.count == 1, "the name spans \(eve.count) lines: \(eve)")
            #expect(eve.first?.contains("FAILURE eve\\n2026") == true, "\(eve)")
            #expect(!lines.contains { $0.hasPrefix("2026-11-29T12:00:00Z") }, "a forged line was printed")
            #expect(!output.contains("\u{1B}"), "an escape sequence reached the terminal")
        }
    }
}
