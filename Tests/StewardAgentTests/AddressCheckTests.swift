#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import StewardAPI
import StewardSystem
import Testing
@testable import StewardAgent

/// Health checks on the host's address (`--address`), and the values they
/// need kept for a restarted agent, whatever the role's config files are.
@Suite struct AddressCheckTests {
    let root = NSTemporaryDirectory() + "steward-address-\(UUID().uuidString)"
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// A listener on one loopback address only, on a port the kernel picks.
    final class Listener {
        let fd: Int32
        let port: Int

        init(address: String) throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr(address)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0
                }
            }
            guard ok else {
                close(fd)
                throw CocoaError(.fileWriteUnknown)
            }
            self.fd = fd
            port = Int(UInt16(bigEndian: addr.sin_port))
        }

        deinit { close(fd) }
    }

    func task(port: Int) -> AgentTask {
        AgentTask(taskId: 1, commandId: 1, instance: InstanceRef(service: "Svc", role: "Peer", host: "host-9"),
                  operation: .start,
                  process: ProcessSpec(start: ["/bin/sh", "-c", "sleep 30 & wait", "{instance_dir}"],
                                       check: .tcp(portParameter: "port"), startTimeoutSeconds: 10, stopTimeoutSeconds: 5),
                  configuration: ["port": String(port)],
                  configFiles: [ConfigFileSpec(name: "peer.cfg", format: .template, template: "listen {{host.address}}:{{values.port}}\n")],
                  configDigest: "d1", timeoutSeconds: 10,
                  context: TemplateContext(instance: .init(service: "Svc", role: "Peer", host: "host-9", address: "127.0.1.9", ordinal: 1),
                                           host: .init(name: "host-9", address: "127.0.1.9"), cluster: .init(id: 1, name: "c"),
                                           values: ["port": String(port)], roles: [:]))
    }

    @Test("the check connects to the host's address, not 127.0.0.1; a restarted agent still checks the right port")
    func checkOnTheAddressAfterReattach() async throws {
        let listener = try Listener(address: "127.0.1.9")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let first = InstanceSupervisor(root: root, http: .shared, logger: logger, address: "127.0.1.9")
        let started = await first.run(task(port: listener.port))
        #expect(started.succeeded, "\(started.detail)")
        #expect(try String(contentsOfFile: root + "/Peer/conf/peer.cfg", encoding: .utf8) == "listen 127.0.1.9:\(listener.port)\n")
        #expect(await first.report(role: "Peer")?.health == .good)
        // The same check on the default address finds nothing there.
        #expect(await InstanceSupervisor(root: root + "-other", http: .shared, logger: logger).checker
            .healthy(.tcp(portParameter: "port"), .init(values: ["port": String(listener.port)])) == false)

        // A new agent process re-attaches: no role.json here, the kept values name the port.
        let second = InstanceSupervisor(root: root, http: .shared, logger: logger, address: "127.0.1.9")
        let report = try #require(await second.report(role: "Peer"))
        #expect(report.status == .started && report.health == .good)
        #expect(SecretFile.mode(of: root + "/Peer/values.json") == 0o600)
        _ = await second.stop(role: "Peer", timeout: 5)
        try? FileManager.default.removeItem(atPath: root + "-other")
    }
}
