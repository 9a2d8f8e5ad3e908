import Foundation

extension TestPostgres {
    /// A CA and a server certificate for localhost and 127.0.0.1 signed by it
    /// (openssl), in the server's directory, owned by postgres and the key 0600
    /// as the server demands; returns the server's `-c` settings for them.
    func makeCertificates() throws -> [String] {
        let d = directory
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=steward-test-ca",
             "-keyout", d + "/ca.key", "-out", d + "/ca.pem"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", d + "/server.key", "-out", d + "/server.csr"],
            ["x509", "-req", "-in", d + "/server.csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key", "-CAcreateserial",
             "-days", "2", "-extfile", d + "/san.ext", "-out", d + "/server.pem"],
        ]
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: d + "/san.ext", atomically: true, encoding: .utf8)
        for args in steps {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            p.arguments = args
            p.standardInput = FileHandle.nullDevice
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw Failure("openssl \(args[0]) failed (\(p.terminationStatus))") }
        }
        for file in ["server.key", "server.pem", "ca.pem"] {
            chmod(d + "/" + file, file.hasSuffix(".key") ? 0o600 : 0o644)
            try Self.chownToPostgres(d + "/" + file)
        }
        return ["-c", "ssl=on", "-c", "ssl_cert_file=" + d + "/server.pem", "-c", "ssl_key_file=" + d + "/server.key"]
    }
}
