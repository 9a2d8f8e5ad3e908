#if canImport(Glibc)
import Glibc
#endif
import AsyncHTTPClient
import Foundation
import NIOSSL
import StewardClient
import StewardAPI
import StewardSystem
import Testing

extension IntegrationTests {
    /// A self-signed certificate for 127.0.0.1, made by openssl: (cert, key).
    static func makeCertificate(in dir: String, name: String) async throws -> (String, String) {
        let cert = "\(dir)/\(name).pem", key = "\(dir)/\(name).key"
        let pid = try ProcessControl.spawn(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
             "-subj", "/CN=steward-test-\(name)", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
            environment: ProcessInfo.processInfo.environment, logPath: "\(dir)/openssl.log", newSession: false)
        #expect(await ProcessControl.waitGone(pid, timeout: .seconds(60)))
        #expect(FileManager.default.fileExists(atPath: cert))
        return (cert, key)
    }

    /// A CAS form login through `api`'s TLS client, following redirects; the last page's body.
    static func casLogin(_ api: StewardClient, service: String) async throws -> String {
        let page = try await api.raw(.GET, "/cas/login")
        let session = try #require(page.headers.first { $0.0.lowercased() == "set-cookie" && $0.1.hasPrefix("casSessionId=") }?.1
            .split(separator: ";").first.map(String.init))
        let body = String(decoding: page.body, as: UTF8.self)
        let line = try #require(body.split(separator: "\n").first { $0.contains("name=\"lt\" value=") })
        let lt = String(line.trimmingCharacters(in: .whitespaces).split(separator: "\"", omittingEmptySubsequences: false)[5])
        let encoded = service.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let form = "username=admin&password=\(TestCluster.password)&lt=\(lt)&_eventId=submit&submit=Login"
        let reply = try await api.raw(.POST, "/cas/login?service=" + encoded, body: Data(form.utf8),
                                      headers: [("Cookie", session), ("Content-Type", "application/x-www-form-urlencoded")])
        return String(decoding: reply.body, as: UTF8.self)
    }

    @Test("over TLS: agents that trust the manager's CA run commands; cookies are Secure; a wrong CA is refused")
    func tls() async throws {
        let dir = NSTemporaryDirectory() + "steward-tls-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (cert, key) = try await Self.makeCertificate(in: dir, name: "manager")
        let (otherCA, _) = try await Self.makeCertificate(in: dir, name: "other")
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(cert)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))

        let cluster = try await TestCluster.start(managerArgs: ["--tls-cert", cert, "--tls-key", key],
                                                  agentArgs: ["--ca-file", cert], http: http)
        do {
            let api = await cluster.client
            #expect(api.baseURL.hasPrefix("https://"))
            #expect(try await api.run(.start, "Coordinator", onlySelf: true).state == .complete)
            let check = try await api.raw(.GET, "/web/v1/access/login_check")
            let cookie = try #require(check.headers.first { $0.0.lowercased() == "set-cookie" }?.1)
            #expect(cookie.contains("Secure"))
            // Under TLS the CAS login never sends its ticket to an http:// service.
            let host = try #require(URL(string: api.baseURL)?.host).appending(":\(await cluster.managerPort)")
            let plain = try await Self.casLogin(api, service: "http://\(host)/web/cas_security_check.htm")
            #expect(plain.contains("You are logged in") && !plain.contains("modify_pwd"), "\(plain)")
            let secure = try await Self.casLogin(api, service: "https://\(host)/web/cas_security_check.htm")
            #expect(secure.contains("modify_pwd"), "\(secure)")
            // A client that does not trust the certificate gets nowhere.
            let untrusting = StewardClient(baseURL: api.baseURL, user: "admin", password: TestCluster.password)
            await #expect(throws: (any Error).self) { _ = try await untrusting.raw(.GET, "/web/v1/clusters", timeout: .seconds(5)) }
            // An agent given another CA refuses the manager, and says why.
            await cluster.signalAgent("host-2", SIGTERM)
            try await cluster.startAgent("host-2", args: ["--ca-file", otherCA])
            let log = cluster.root + "/host-2.log"
            let reason = try await waitFor("host-2 to refuse the certificate", timeout: .seconds(30)) { () -> String? in
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                return text.contains("cannot reach the manager") && text.lowercased().contains("certificate") ? text : nil
            }
            #expect(!reason.isEmpty)
            _ = try await waitFor("host-2 to be lost") { () -> Bool? in
                try await api.hosts().first { $0.hostName == "host-2" }?.status == .lost ? true : nil
            }
        } catch {
            await cluster.stop()
            try? await http.shutdown()
            throw error
        }
        await cluster.stop()
        try await http.shutdown()
    }
}
