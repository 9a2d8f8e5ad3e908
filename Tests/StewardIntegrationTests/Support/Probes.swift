#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardClient
import StewardAPI
import StewardSystem

/// A listening socket on 127.0.0.1 held by the test, to take a role's port.
final class PortHolder {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = onLoopback(port: port) { bind(fd, $0, $1) }
        guard bound == 0, listen(fd, 8) == 0 else {
            close(fd)
            throw Missing(description: "could not hold port \(port): errno \(errno)")
        }
    }

    func release() { close(fd) }

    /// Releases at once; true, for probing that a port can be bound.
    func releasing() -> Bool {
        release()
        return true
    }
}

/// Calls `body` with 127.0.0.1:`port` as a socket address (to bind or connect to) and its length.
func onLoopback<T>(port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
}

/// What a role process at a port says, or nil if nothing answers there.
func roleAnswer(port: Int, path: String = "/health") async -> (status: Int, body: String)? {
    guard ProcessControl.tcpAccepts(port: port) else { return nil }
    let probe = StewardClient(baseURL: "http://127.0.0.1:\(port)", user: nil, password: nil)
    // No keep-alive: an idle connection from the test would hold up the role's graceful stop.
    guard let reply = try? await probe.raw(.GET, path, headers: [("Connection", "close")], timeout: .seconds(5)) else { return nil }
    return (reply.status, String(decoding: reply.body, as: UTF8.self))
}

/// A free TCP port on loopback, as the kernel hands it out.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) { ptr in
        ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
            bind(fd, sa, len) == 0 && getsockname(fd, sa, &len) == 0
        }
    }
    guard ok else { throw Missing(description: "no free port") }
    return Int(UInt16(bigEndian: addr.sin_port))
}

extension Envelope where Result == ProgressDocument {
    var stepNames: [String] { resObj?.stepList.map(\.name) ?? [] }
    var failEntities: [String] { resObj?.failEntityList.map { "\($0.failEntity) \($0.operationType.rawValue)" } ?? [] }
    func task(_ instance: String, in step: String) -> ProgressDocument.TaskEntry? {
        resObj?.stepList.first { $0.name == step }?.tasks.first { $0.instance == instance }
    }
}
