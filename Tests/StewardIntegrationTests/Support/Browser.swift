#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import Testing

/// A real headless Chromium, driven over CDP by Tests/Browser/cdp_bridge.py:
/// one JSON request per line to it, one JSON answer per line back. The
/// scenarios and their assertions stay here in Swift.
///
/// `@unchecked Sendable`: `Process` and `FileHandle` are not Sendable, but
/// every use of them is a request made under `lock`, one at a time.
final class Browser: @unchecked Sendable {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The venv python with websocket-client (scripts/browser-deps.sh makes it).
    static var python: String? {
        if let given = ProcessInfo.processInfo.environment["STEWARD_TEST_PYTHON"] { return given }
        let venv = repository.appendingPathComponent(".build-ci/browser-venv/bin/python3").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }

    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// CI sets STEWARD_REQUIRE_BROWSER=1, so a missing browser fails there
    /// instead of skipping; a developer without Chromium skips these tests.
    static var enabled: Bool {
        ProcessInfo.processInfo.environment["STEWARD_REQUIRE_BROWSER"] == "1" || (python != nil && chromium != nil)
    }

    static var artifacts: URL {
        if let given = ProcessInfo.processInfo.environment["STEWARD_ARTIFACTS"] { return URL(fileURLWithPath: given).appendingPathComponent("ui") }
        return repository.appendingPathComponent("test-artifacts/ui")
    }

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = Mutex<Data>(Data())
    private let queue = DispatchQueue(label: "browser")
    let name: String

    /// `name` prefixes the screenshots of one scenario.
    init(name: String) throws {
        self.name = name
        guard let python = Self.python else {
            throw Missing(description: "no python with websocket-client: run scripts/browser-deps.sh or set STEWARD_TEST_PYTHON")
        }
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Self.repository.appendingPathComponent("Tests/Browser/cdp_bridge.py").path]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private struct Request: Encodable {
        var op: String
        var url: String?
        var expr: String?
        var selector: String?
        var text: String?
        var key: String?
        var path: String?
        var timeout: Double?
    }

    private struct Answer: Decodable {
        var ok: Bool
        var value: JSONValue?
        var error: String?
    }

    /// Waits for the bridge's "ready" (Chromium launched and attached).
    func ready() async throws {
        _ = try await exchange(nil)
    }

    private func exchange(_ request: Request?) async throws -> JSONValue? {
        let line = try request.map { try JSONEncoder().encode($0) + Data("\n".utf8) }
        let answer: Data = try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.lock.withLock { buffer in
                    if let line { try self.input.fileHandleForWriting.write(contentsOf: line) }
                    return try Self.readLine(self.output.fileHandleForReading, &buffer)
                } })
            }
        }
        let decoded = try JSONDecoder().decode(Answer.self, from: answer)
        guard decoded.ok else { throw Failure(description: "browser \(request?.op ?? "start"): \(decoded.error ?? "failed")") }
        return decoded.value
    }

    /// The bridge's own waits end within a minute; past two, it is stuck.
    static let answerTimeoutMs: Int32 = 120_000

    private static func readLine(_ handle: FileHandle, _ buffer: inout Data) throws -> Data {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer = Data(buffer[(newline + 1)...])
                return Data(line)
            }
            var ready = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, answerTimeoutMs) > 0 else { throw Failure(description: "the browser bridge did not answer in 120 s") }
            let chunk = handle.availableData
            if chunk.isEmpty { throw Failure(description: "the browser bridge exited") }
            buffer.append(chunk)
        }
    }

    func navigate(_ url: String) async throws { _ = try await exchange(Request(op: "navigate", url: url)) }

    @discardableResult
    func eval(_ expression: String) async throws -> JSONValue? { try await exchange(Request(op: "eval", expr: expression)) }

    /// Polls a JavaScript expression in the page until it is truthy.
    @discardableResult
    func wait(_ expression: String, timeout: Double = 30) async throws -> JSONValue? {
        try await exchange(Request(op: "wait", expr: expression, timeout: timeout))
    }

    /// A real mouse click at the element's centre.
    func click(_ selector: String) async throws { _ = try await exchange(Request(op: "click", selector: selector)) }

    /// Focuses the element and types as a keyboard would.
    func type(_ selector: String, _ text: String) async throws { _ = try await exchange(Request(op: "type", selector: selector, text: text)) }

    /// Enter, Escape, Tab or Space, to the focused element.
    func key(_ key: String) async throws { _ = try await exchange(Request(op: "key", key: key)) }

    /// A full-page PNG under test-artifacts/ui/; returns its path.
    @discardableResult
    func screenshot(_ step: String) async throws -> String {
        let path = Self.artifacts.appendingPathComponent("\(name)-\(step).png").path
        _ = try await exchange(Request(op: "screenshot", path: path))
        return path
    }

    /// Uncaught exceptions, console errors and browser errors (CSP violations
    /// among them) seen since the start.
    func errors() async throws -> [String] {
        (try await exchange(Request(op: "errors")))?.array?.compactMap(\.string) ?? []
    }

    func close() {
        try? input.fileHandleForWriting.write(contentsOf: Data("{\"op\":\"quit\"}\n".utf8))
        try? input.fileHandleForWriting.close()
        // The bridge kills Chromium's process group and exits; a stuck one goes too.
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Any JSON value the page answers with.
enum JSONValue: Decodable, Sendable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    var string: String? { if case .string(let s) = self { s } else { nil } }
    var number: Double? { if case .number(let n) = self { n } else { nil } }
    var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    subscript(key: String) -> JSONValue? { if case .object(let o) = self { o[key] } else { nil } }
}

/// Runs `body` with a launched browser and always closes it.
func withBrowser(_ name: String, _ body: (Browser) async throws -> Void) async throws {
    let browser = try Browser(name: name)
    do {
        try await browser.ready()
        try await body(browser)
    } catch {
        _ = try? await browser.screenshot("failure")
        // What the page said (an exception, a refused script) usually explains a timed-out wait.
        if let errors = try? await browser.errors(), !errors.isEmpty { Issue.record("page errors: \(errors)") }
        browser.close()
        throw error
    }
    browser.close()
}

// The scenarios' shared steps and checks.

/// Logs in through the page a browser is sent to: `/` redirects to the CAS
/// login form, which comes back to the dashboard.
func logIn(_ browser: Browser, _ base: String, user: String, password: String) async throws {
    try await browser.navigate(base + "/")
    try await browser.wait("location.pathname === '/cas/login' && document.querySelector('#username')")
    try await browser.screenshot("0-login")
    try await browser.type("#username", user)
    try await browser.type("#password", password)
    try await browser.click("input[type=submit]")
    try await browser.wait("location.pathname === '/' && document.querySelectorAll('tr[data-service]').length > 0")
}

/// No uncaught exception, console error or refused load (a CSP violation) in the page.
func expectNoPageErrors(_ browser: Browser) async throws {
    // The API's refusals (4xx) are part of the scenarios (the session check
    // before the login, a rejected value, a weak password); the tests check
    // what the page made of them. A 5xx, a missing UI file, an exception or a
    // blocked load is a failure.
    let errors = try await browser.errors().filter { !($0.contains("the server responded with a status of 4") && $0.contains("/web/v1/")) }
    #expect(errors.isEmpty, "\(errors)")
}

/// True on a command page whose command is in `state`.
func commandIs(_ state: String) -> String {
    "document.querySelector('h1 [data-state]')?.dataset.state === '\(state)'"
}

/// The state badge in the first element matching `selector`.
func state(_ selector: String) -> String {
    "document.querySelector('\(selector)')?.querySelector('[data-state]')?.dataset.state"
}
