#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A real TCP listener for health-check tests: on an address of 127.0.0.0/8
/// and a port the kernel picks, it answers each connection with what `reply`
/// makes of the first bytes received (nil: say nothing and hold the
/// connection until the server closes). One thread, one connection at a time.
final class TinyServer: @unchecked Sendable {
    let address: String
    private(set) var port: Int = 0
    private let fd: Int32
    private let reply: @Sendable (String) -> String?
    private let lock = NSLock()
    private var closed = false
    private var held: [Int32] = []

    init(address: String = "127.0.0.1", reply: @escaping @Sendable (String) -> String?) throws {
        self.address = address
        self.reply = reply
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        inet_pton(AF_INET, address, &addr.sin_addr)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            Glibc.close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        Thread.detachNewThread { self.serve() }
    }

    private func serve() {
        while true {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 4096)
            // A short read timeout: a connect-only check sends nothing.
            var timeout = timeval(tv_sec: 0, tv_usec: 300_000)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let n = recv(client, &buffer, buffer.count, 0)
            let received = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
            if let answer = reply(received) {
                let bytes = Array(answer.utf8)
                _ = send(client, bytes, bytes.count, Int32(MSG_NOSIGNAL))
                Glibc.close(client)
            } else {
                lock.withLock { held.append(client) }
            }
        }
    }

    /// Closes the listener (a later connect is refused) and every held connection.
    func close() {
        lock.withLock {
            guard !closed else { return }
            closed = true
            shutdown(fd, Int32(SHUT_RDWR))
            Glibc.close(fd)
            held.forEach { Glibc.close($0) }
        }
    }

    deinit { close() }
}
