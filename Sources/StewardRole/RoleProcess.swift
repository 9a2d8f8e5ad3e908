import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// The demo stack's role process: the `steward` binary in role mode. It reads
/// the config file its agent rendered, waits `startup_delay_ms` (a slow start
/// on demand), binds `port` on 127.0.0.1 and serves `/health` and `/config`.
/// A port that is taken makes it exit 1 with a line saying so.
public enum RoleProcess {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func run(configPath: String, logger: Logger) async throws {
        guard let data = FileManager.default.contents(atPath: configPath),
              let config = try? JSONDecoder().decode([String: String].self, from: data)
        else { throw Failure(description: "cannot read configuration file \(configPath)") }
        guard let port = config["port"].flatMap(Int.init), (1...65535).contains(port) else {
            throw Failure(description: "configuration has no valid 'port'")
        }
        let instance = ProcessInfo.processInfo.environment["STEWARD_INSTANCE"] ?? "role"
        // A hung process on demand: it ignores SIGTERM, so only SIGKILL stops it.
        let ignoresTerm = config["ignore_sigterm"] == "true"
        if ignoresTerm { signal(SIGTERM, SIG_IGN) }
        if let delay = config["startup_delay_ms"].flatMap(Int.init), delay > 0 {
            say("\(instance): starting up, listening in \(delay) ms")
            try await Task.sleep(for: .milliseconds(delay))
        }
        let shown = config.reduce(into: [String: String]()) { out, kv in
            out[kv.key] = kv.key.lowercased().contains("password") ? "******" : kv.value
        }
        let body = try JSONEncoder().encode(["instance": .string(instance), "configuration": JSONValue.object(shown)])
        let health = try JSONEncoder().encode(["instance": instance, "status": "GOOD"])
        let router = Router()
        router.get("/health") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: health)))
        }
        router.get("/config") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "steward-role"),
            onServerRunning: { _ in say("\(instance): listening on 127.0.0.1:\(port)") },
            logger: logger)
        // A bounded graceful stop: an idle keep-alive client must not hold a stop up.
        var group = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: ignoresTerm ? [.sigint] : [.sigterm, .sigint],
                                              logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(2)
        do {
            try await ServiceGroup(configuration: group).run()
        } catch {
            let text = "\(error)"
            if text.contains("Address already in use") || text.contains("errno: 98") {
                throw Failure(description: "port \(port) is already in use")
            }
            throw Failure(description: "cannot listen on 127.0.0.1:\(port): \(text)")
        }
    }

    /// Unbuffered, straight to the log file: a process killed mid-start keeps its last words.
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    enum JSONValue: Encodable {
        case string(String)
        case object([String: String])

        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .string(let s): try c.encode(s)
            case .object(let o): try c.encode(o)
            }
        }
    }
}
