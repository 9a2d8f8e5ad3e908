import Foundation
import Logging
import StewardAPI
import StewardSystem
import Testing
@testable import StewardAgent

/// What a start does before its process runs: requires (14007), the working
/// directory and environment placeholders, and prepare steps run once (14008).
@Suite struct StartPreparationTests {
    let root = NSTemporaryDirectory() + "steward-prepare-\(UUID().uuidString)"
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func supervisor() -> InstanceSupervisor {
        InstanceSupervisor(root: root, http: .shared, logger: logger, host: "host-2")
    }

    func task(_ id: Int64, start: [String] = ["/bin/sh", "-c", "exec sleep 30"], prepare: [PrepareStep] = [],
              requires: [Requirement] = [], workingDirectory: String? = nil, environment: [String: String] = [:]) -> AgentTask {
        AgentTask(taskId: id, commandId: 1, instance: InstanceRef(service: "Svc", role: "Role", host: "host-2"), operation: .start,
                  process: ProcessSpec(start: start, check: .process, startTimeoutSeconds: 10, stopTimeoutSeconds: 2,
                                       environment: environment, workingDirectory: workingDirectory, prepare: prepare, requires: requires),
                  configuration: ["port": "1", "name": "data"], configFiles: [ConfigFileSpec(name: "role.json", format: .json)],
                  configDigest: "d\(id)", timeoutSeconds: 10)
    }

    var instanceDir: String { root + "/Role" }

    func cleanUp(_ supervisor: InstanceSupervisor) async {
        _ = await supervisor.stop(role: "Role", timeout: 1)
        try? FileManager.default.removeItem(atPath: root)
    }

    @Test func aMissingCommandFailsWithWhatIsMissingWhereAndThePackage() async {
        let supervisor = supervisor()
        let outcome = await supervisor.run(task(1, requires: [Requirement(command: "redis-server-not-here", package: "redis-server")]))
        #expect(!outcome.succeeded)
        #expect(outcome.errorCode == .softwareMissing)
        #expect(outcome.detail == "redis-server-not-here is not installed on host-2: command 'redis-server-not-here' not found in PATH (install the package 'redis-server')")
        #expect(await supervisor.report(role: "Role")?.status != .started, "no process runs")
        await cleanUp(supervisor)
    }

    @Test func aMissingFileFailsNamingThePackage() async {
        let supervisor = supervisor()
        let outcome = await supervisor.run(task(1, requires: [Requirement(path: "/usr/share/java/no-such.jar", package: "zookeeper"),
                                                              Requirement(command: "sh")]))
        #expect(outcome.errorCode == .softwareMissing)
        #expect(outcome.detail == "zookeeper is not installed on host-2: /usr/share/java/no-such.jar does not exist (install the package 'zookeeper')")
        await cleanUp(supervisor)
    }

    @Test func aStartProgramThatDoesNotExistIsSoftwareMissingToo() async {
        let supervisor = supervisor()
        let inPath = await supervisor.run(task(1, start: ["no-such-server-xyz", "--port", "{port}"],
                                               requires: [Requirement(command: "no-such-server-xyz", package: "xyz-server")]))
        #expect(inPath.errorCode == .softwareMissing)
        #expect(inPath.detail.contains("command 'no-such-server-xyz' not found in PATH (install the package 'xyz-server')"))
        let absolute = await supervisor.run(task(2, start: ["/opt/nothing/bin/server"]))
        #expect(absolute.errorCode == .softwareMissing)
        #expect(absolute.detail == "server is not installed on host-2: /opt/nothing/bin/server does not exist or is not executable")
        await cleanUp(supervisor)
    }

    @Test func prepareRunsOnceBeforeTheFirstStartWithTheConfigAlreadyRendered() async throws {
        let supervisor = supervisor()
        let step = PrepareStep(command: ["/bin/sh", "-c", "test -f {conf_dir}/role.json && echo prepared >> {instance_dir}/count"],
                               timeoutSeconds: 10)
        let first = await supervisor.run(task(1, prepare: [step]))
        #expect(first.succeeded, "\(first.detail)")
        _ = await supervisor.stop(role: "Role", timeout: 2)
        let second = await supervisor.run(task(2, prepare: [step]))
        #expect(second.succeeded, "\(second.detail)")
        #expect(try String(contentsOfFile: instanceDir + "/count", encoding: .utf8) == "prepared\n")
        await cleanUp(supervisor)
    }

    @Test func aFailedPrepareStepFailsTheStartWithItsOutputAndRunsAgainNextTime() async throws {
        let supervisor = supervisor()
        let steps = [PrepareStep(command: ["/bin/sh", "-c", "echo one >> {instance_dir}/count"]),
                     PrepareStep(command: ["/bin/sh", "-c", "echo 'cannot init data dir'; exit 3"])]
        let outcome = await supervisor.run(task(1, prepare: steps))
        #expect(!outcome.succeeded)
        #expect(outcome.errorCode == .prepareFailed)
        #expect(outcome.detail.hasPrefix("prepare step 2 (/bin/sh -c echo 'cannot init data dir'; exit 3) exited with status 3: cannot init data dir"))
        #expect(outcome.outputTail.contains("cannot init data dir"))
        #expect(await supervisor.report(role: "Role")?.status != .started, "the process must not start")
        #expect(!FileManager.default.fileExists(atPath: instanceDir + "/prepared"))
        _ = await supervisor.run(task(2, prepare: steps))
        #expect(try String(contentsOfFile: instanceDir + "/count", encoding: .utf8) == "one\none\n")
        await cleanUp(supervisor)
    }

    @Test func aPrepareStepPastItsTimeoutIsKilled() async {
        let supervisor = supervisor()
        let outcome = await supervisor.run(task(1, prepare: [PrepareStep(command: ["/bin/sh", "-c", "echo waiting; exec sleep 60"],
                                                                         timeoutSeconds: 1)]))
        #expect(outcome.errorCode == .prepareFailed)
        #expect(outcome.detail.contains("did not finish within 1 s; it was killed"))
        #expect(outcome.outputTail.contains("waiting"))
        await cleanUp(supervisor)
    }

    @Test func theWorkingDirectoryIsCreatedAndPlaceholdersFillTheEnvironment() async throws {
        let supervisor = supervisor()
        let script = #"pwd > {instance_dir}/cwd; echo "$DATA" > {instance_dir}/env; exec sleep 30"#
        let outcome = await supervisor.run(task(1, start: ["/bin/sh", "-c", script], workingDirectory: "{instance_dir}/{name}",
                                                environment: ["DATA": "{instance_dir}/{name}/x"]))
        #expect(outcome.succeeded, "\(outcome.detail)")
        let cwd = try String(contentsOfFile: instanceDir + "/cwd", encoding: .utf8)
        #expect(cwd == instanceDir + "/data\n")
        #expect(try String(contentsOfFile: instanceDir + "/env", encoding: .utf8) == instanceDir + "/data/x\n")
        await cleanUp(supervisor)
    }
}
