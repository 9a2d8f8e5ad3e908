#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import StewardAPI
import StewardSystem
import Testing
@testable import StewardAgent

/// The runtime's fields with real software from Debian's packages: requires,
/// prepare (writing the config and data directory), the working directory, and
/// a TCP send/expect check that only passes when the server really serves.
/// Skipped, saying so, where the software is absent, except in CI (CI=true).
@Suite struct RealSoftwareTests {
    let root = NSTemporaryDirectory() + "steward-real-\(UUID().uuidString)"
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    static func installed(_ path: String) -> Bool {
        if FileManager.default.fileExists(atPath: path) { return true }
        if ProcessInfo.processInfo.environment["CI"] == "true" { return true }  // and let the test fail, naming what is missing
        print("skipped: \(path) is not installed (apt-get install zookeeper redis-server)")
        return false
    }

    /// A port nothing listens on now: the kernel's pick, released.
    static func freePort() throws -> Int {
        let server = try TinyServer { _ in "" }
        defer { server.close() }
        return server.port
    }

    func task(_ id: Int64, _ spec: ProcessSpec, _ op: StewardAPI.Operation = .start, values: [String: String]) -> AgentTask {
        AgentTask(taskId: id, commandId: 1, instance: InstanceRef(service: "S", role: "Server", host: "host-1"), operation: op,
                  process: spec, configuration: values, configFiles: [], configDigest: "d", timeoutSeconds: spec.startTimeoutSeconds)
    }

    @Test(.enabled(if: installed("/usr/share/java/zookeeper.jar")))
    func zooKeeperIsHealthyWhenSrvrSaysItServes() async throws {
        let config = """
            mkdir -p {instance_dir}/data && printf 'tickTime=2000\\ndataDir={instance_dir}/data\\nclientPort={client_port}\\n\
            clientPortAddress=127.0.0.1\\nadmin.enableServer=false\\n4lw.commands.whitelist=srvr,ruok\\n' > {conf_dir}/zoo.cfg
            """
        let spec = ProcessSpec(
            start: ["java", "-Xmx128m", "-cp", "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar",
                    "org.apache.zookeeper.server.ZooKeeperServerMain", "{conf_dir}/zoo.cfg"],
            check: .tcp(portParameter: "client_port", send: "srvr\n", expect: ["Mode: standalone", "Mode: leader", "Mode: follower"]),
            startTimeoutSeconds: 90, stopTimeoutSeconds: 10, workingDirectory: "{instance_dir}/data",
            prepare: [PrepareStep(command: ["/bin/sh", "-c", config], timeoutSeconds: 10)],
            requires: [Requirement(path: "/usr/share/java/zookeeper.jar", package: "zookeeper"), Requirement(command: "java", package: "default-jre-headless")])
        let supervisor = InstanceSupervisor(root: root, http: .shared, logger: logger)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let port = try Self.freePort()
        let started = await supervisor.run(task(1, spec, values: ["client_port": "\(port)"]))
        #expect(started.succeeded, "\(started.detail)\n\(started.outputTail)")
        let answer = TCPProbe.check(address: "127.0.0.1", port: port, send: "srvr\n", expect: ["Mode: standalone"], timeout: .seconds(5))
        #expect(answer == .healthy, "\(answer)")
        #expect(FileManager.default.fileExists(atPath: root + "/Server/prepared"))
        let stopped = await supervisor.run(task(2, spec, .stop, values: ["client_port": "\(port)"]))
        #expect(stopped.succeeded)
    }

    @Test(.enabled(if: installed("/usr/bin/redis-server")))
    func redisIsHealthyWhenItAnswersPong() async throws {
        let spec = ProcessSpec(
            start: ["redis-server", "--port", "{port}", "--bind", "127.0.0.1", "--dir", ".", "--save", "", "--appendonly", "no"],
            check: .tcp(portParameter: "port", send: "PING\r\n", expect: ["+PONG"]), startTimeoutSeconds: 30, stopTimeoutSeconds: 10,
            workingDirectory: "{instance_dir}/data", requires: [Requirement(command: "redis-server", package: "redis-server")])
        let supervisor = InstanceSupervisor(root: root, http: .shared, logger: logger)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let port = try Self.freePort()
        let started = await supervisor.run(task(1, spec, values: ["port": "\(port)"]))
        #expect(started.succeeded, "\(started.detail)\n\(started.outputTail)")
        // The same probe with a text redis never answers is unhealthy: the expect is what decides.
        let wrong = TCPProbe.check(address: "127.0.0.1", port: port, send: "PING\r\n", expect: ["Mode: leader"], timeout: .seconds(1))
        #expect(wrong != .healthy)
        #expect((await supervisor.run(task(2, spec, .stop, values: ["port": "\(port)"]))).succeeded)
    }
}
