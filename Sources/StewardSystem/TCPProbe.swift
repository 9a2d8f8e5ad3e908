#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A TCP health probe: connect, optionally send a text and read the answer
/// until the peer closes, an expected text appears, or the deadline passes.
/// Blocking, bounded by its deadline: callers run it off the cooperative pool.
public enum TCPProbe {
    public enum Result: Equatable, Sendable {
        case healthy
        /// Why not, for a log line: refused, timed out, or what was answered instead.
        case unhealthy(String)
    }

    /// `expect` empty: any connection (and, with `send`, a successful write) is healthy;
    /// otherwise the answer must contain one of the texts.
    public static func check(address: String, port: Int, send text: String?, expect: [String], timeout: Duration) -> Result {
        let deadline = ContinuousClock.now + timeout
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        guard inet_pton(AF_INET, address, &addr.sin_addr) == 1 else { return .unhealthy("'\(address)' is not an IPv4 address") }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .unhealthy("no socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 {
            guard errno == EINPROGRESS else { return .unhealthy("connect: \(String(cString: strerror(errno)))") }
            guard wait(fd, for: Int16(POLLOUT), until: deadline) else { return .unhealthy("connect timed out") }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else { return .unhealthy("connect: \(String(cString: strerror(error)))") }
        }
        if let text {
            var bytes = Array(text.utf8)
            while !bytes.isEmpty {
                guard wait(fd, for: Int16(POLLOUT), until: deadline) else { return .unhealthy("send timed out") }
                let n = send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL))
                if n < 0 && errno != EAGAIN && errno != EINTR { return .unhealthy("send: \(String(cString: strerror(errno)))") }
                if n > 0 { bytes.removeFirst(n) }
            }
        }
        guard !expect.isEmpty else { return .healthy }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while answer.count < 64 * 1024 {
            guard wait(fd, for: Int16(POLLIN), until: deadline) else { break }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            if n <= 0 { break }
            answer += buffer[0..<n]
            let sofar = String(decoding: answer, as: UTF8.self)
            if expect.contains(where: sofar.contains) { return .healthy }
        }
        let answered = String(decoding: answer, as: UTF8.self)
        if expect.contains(where: answered.contains) { return .healthy }
        let said = answered.split(whereSeparator: \.isNewline).first.map { "'\($0.prefix(120))'" } ?? "nothing"
        return .unhealthy("answered \(said), expected one of \(expect)")
    }

    /// Polls one descriptor until it is ready or the deadline passes.
    private static func wait(_ fd: Int32, for events: Int16, until deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return false }
            let ms = Int32(max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            var p = pollfd(fd: fd, events: events, revents: 0)
            let rc = poll(&p, 1, ms)
            if rc < 0 && errno == EINTR { continue }
            if rc <= 0 { return false }
            return true
        }
    }
}
