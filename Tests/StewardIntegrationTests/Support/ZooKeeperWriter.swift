#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A ZooKeeper client small enough to read: the wire protocol's connect,
/// create, setData and closeSession (jute encoding, length-framed), over
/// blocking sockets with timeouts. Enough to write to an ensemble, which is
/// all the quorum test asks; the JVM's own client would cost a second a write.
struct ZooKeeperConnection {
    let fd: Int32
    private var xid: Int32 = 0

    /// A session on the member at `port`, or nil: refused, closed (a member
    /// not in a quorum closes new connections), or no answer in time.
    init?(port: Int, timeoutMs: Int = 2000) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var tv = timeval(tv_sec: timeoutMs / 1000, tv_usec: (timeoutMs % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let connected = onLoopback(port: port) { connect(fd, $0, $1) }
        var request = Jute()
        request.int(0)            // protocolVersion
        request.long(0)           // lastZxidSeen
        request.int(Int32(timeoutMs * 2)) // session timeout
        request.long(0)           // sessionId: a new session
        request.buffer([UInt8](repeating: 0, count: 16))
        guard connected == 0, send(request), let answer = receive(), answer.count >= 16 else {
            close(fd)
            return nil
        }
        var reader = JuteReader(answer)
        _ = reader.int()
        let timeout = reader.int()
        let session = reader.long()
        guard timeout > 0, session != 0 else {
            close(fd)
            return nil
        }
    }

    /// The error code of one request (0: done), or nil if no answer came.
    mutating func request(type: Int32, body: Jute) -> Int32? {
        xid += 1
        var frame = Jute()
        frame.int(xid)
        frame.int(type)
        frame.bytes += body.bytes
        guard send(frame), let answer = receive(), answer.count >= 16 else { return nil }
        var reader = JuteReader(answer)
        guard reader.int() == xid else { return nil }
        _ = reader.long()
        return reader.int()
    }

    /// Creates `path` if it does not exist (open ACL, persistent); true when it exists after.
    mutating func ensure(_ path: String) -> Bool {
        var body = Jute()
        body.string(path)
        body.buffer([])
        body.int(1)               // one ACL entry
        body.int(31)              // every permission
        body.string("world")
        body.string("anyone")
        body.int(0)               // persistent
        guard let code = request(type: 1, body: body) else { return false }
        return code == 0 || code == -110  // -110: it exists
    }

    /// setData, any version: true when the ensemble committed it.
    mutating func set(_ path: String, _ value: String) -> Bool {
        var body = Jute()
        body.string(path)
        body.buffer(Array(value.utf8))
        body.int(-1)
        return request(type: 5, body: body) == 0
    }

    mutating func closeSession() {
        _ = request(type: -11, body: Jute())
        close(fd)
    }

    private func send(_ payload: Jute) -> Bool {
        var framed = Jute()
        framed.int(Int32(payload.bytes.count))
        framed.bytes += payload.bytes
        return framed.bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == framed.bytes.count
    }

    private func receive() -> [UInt8]? {
        guard let head = read(4) else { return nil }
        let length = Int(head.withUnsafeBytes { $0.loadUnaligned(as: Int32.self).bigEndian })
        guard (0...1 << 20).contains(length) else { return nil }
        return read(length)
    }

    private func read(_ count: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = out.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
            guard n > 0 else { return nil }
            got += n
        }
        return out
    }
}

struct Jute {
    var bytes: [UInt8] = []
    mutating func int(_ v: Int32) { withUnsafeBytes(of: v.bigEndian) { bytes += $0 } }
    mutating func long(_ v: Int64) { withUnsafeBytes(of: v.bigEndian) { bytes += $0 } }
    mutating func buffer(_ b: [UInt8]) { int(Int32(b.count)); bytes += b }
    mutating func string(_ s: String) { buffer(Array(s.utf8)) }
}

struct JuteReader {
    let bytes: [UInt8]
    var at = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    mutating func int() -> Int32 {
        defer { at += 4 }
        return bytes[at..<at + 4].reduce(Int32(0)) { $0 << 8 | Int32($1) }
    }
    mutating func long() -> Int64 {
        defer { at += 8 }
        return bytes[at..<at + 8].reduce(Int64(0)) { $0 << 8 | Int64($1) }
    }
}

/// Writes to an ensemble every 100 ms on a thread of its own, as a client
/// that fails over and retries would (Curator's retry policies): each write
/// goes to the member that took the last one, else to the next that takes it,
/// round after round for up to `retrySeconds`. A write fails only when no
/// member commits it in that time: a leader's restart costs an election of a
/// moment, which such a client rides out; a lost quorum lasts until a member
/// rejoins, and fails writes.
final class ZooKeeperWriter: Sendable {
    struct Report: Sendable {
        var written = 0
        var failed: [String] = []
        /// The longest a write took to commit, retries included.
        var longestWrite: Double = 0
    }

    let ports: [Int]
    let path: String
    let retrySeconds: Double
    private let state = Mutex(Report())
    private let stopping = Atomic<Bool>(false)
    private let done = Atomic<Bool>(false)

    init(ports: [Int], path: String = "/steward-rolling", retrySeconds: Double = 5) {
        self.ports = ports
        self.path = path
        self.retrySeconds = retrySeconds
    }

    /// Forgets what happened so far: the ensemble forming is not what a test measures.
    func reset() { state.withLock { $0 = Report() } }

    func start() {
        let thread = Thread { [self] in
            var next = 0
            var n = 0
            while !stopping.load(ordering: .relaxed) {
                let began = Date()
                n += 1
                var ok = false
                var tries = 0
                repeat {
                    for k in 0..<ports.count {
                        let member = (next + k) % ports.count
                        tries += 1
                        guard var zk = ZooKeeperConnection(port: ports[member]) else { continue }
                        ok = zk.ensure(path) && zk.set(path, String(n))
                        zk.closeSession()
                        if ok { next = member; break }
                    }
                    if !ok { Thread.sleep(forTimeInterval: 0.05) }
                } while !ok && Date().timeIntervalSince(began) < retrySeconds && !stopping.load(ordering: .relaxed)
                let took = Date().timeIntervalSince(began)
                state.withLock { report in
                    report.longestWrite = max(report.longestWrite, took)
                    if ok { report.written += 1 } else {
                        report.failed.append("write \(n) at \(began.timeIntervalSince1970): no member committed it in \(tries) tries over \(took) s")
                    }
                }
                let left = 0.1 - Date().timeIntervalSince(began)
                if left > 0 { Thread.sleep(forTimeInterval: left) }
            }
            done.store(true, ordering: .releasing)
        }
        thread.start()
    }

    /// Stops the writer and waits for its last write.
    func stop() async -> Report {
        stopping.store(true, ordering: .relaxed)
        while !done.load(ordering: .acquiring) { try? await Task.sleep(for: .milliseconds(20)) }
        return state.withLock { $0 }
    }

    var report: Report { state.withLock { $0 } }
}
