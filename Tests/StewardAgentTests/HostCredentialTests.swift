import Foundation
@testable import StewardAgent
import StewardSystem
import Testing

/// The agent's side of its host's credential: kept 0600 in its data directory.
@Suite struct HostCredentialTests {
    @Test func anIssuedCredentialIsKept0600AndUsedFromThenOn() throws {
        let dir = NSTemporaryDirectory() + "hostcred-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/data/host.credential"
        let credential = HostCredential(host: "host-1", joinToken: "join", path: path)
        #expect(credential.current == nil, "before its first join the host has only the join token")
        try credential.keep("c0ffee")
        #expect(SecretFile.mode(of: path) == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "c0ffee\n")
        // A restarted agent finds it.
        #expect(HostCredential(host: "host-1", joinToken: "join", path: path).current == "c0ffee")
        // Deleting the file (after an admin revoked it) lets the host join again.
        try FileManager.default.removeItem(atPath: path)
        credential.reload()
        #expect(credential.current == nil)
        try credential.keep("beef")
        credential.forget()
        #expect(credential.current == nil && !FileManager.default.fileExists(atPath: path))
    }
}
