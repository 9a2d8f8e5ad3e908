import Foundation
import StewardAPI
import StewardSystem

/// What a start does before it spawns the role's process: the software the
/// role requires is there, its working directory exists, and its prepare
/// steps ran once (a marker in the instance's directory says they did).
extension InstanceSupervisor {
    /// The placeholders of a role's argv, environment and working directory.
    nonisolated func placeholders(_ directory: InstanceDirectory) -> [String: String] {
        ["steward": ProcessControl.ownExecutable(), "conf_dir": directory.conf, "instance_dir": directory.path]
    }

    /// How the role's processes (start, prepare, command check) run: their
    /// environment and working directory, placeholders substituted.
    nonisolated func launchSettings(_ instance: InstanceRef, _ spec: ProcessSpec, values: [String: String],
                                    directory: InstanceDirectory) -> (environment: [String: String], workingDirectory: String) {
        let extra = placeholders(directory)
        let declared = spec.environment.mapValues { ConfigRenderer.substitute([$0], values: values, extra: extra)[0] }
        let cwd = spec.workingDirectory.map { ConfigRenderer.substitute([$0], values: values, extra: extra)[0] } ?? directory.path
        return (Self.environment(for: instance, declared: declared), cwd)
    }

    /// The first thing the host lacks of what the role needs, as a failed
    /// outcome (14007) naming it, the host and the package; nil if nothing.
    /// The start command's program counts too, as if it were required.
    nonisolated func missingSoftware(_ task: AgentTask, argv0: String, path searchPath: String) -> Outcome? {
        let spec = task.process
        func install(_ package: String?) -> String { package.map { " (install the package '\($0)')" } ?? "" }
        for need in spec.requires {
            if let path = need.path, !FileManager.default.fileExists(atPath: path) {
                let what = need.package ?? (path as NSString).lastPathComponent
                return Outcome(succeeded: false, detail: "\(what) is not installed on \(host): \(path) does not exist\(install(need.package))",
                               errorCode: .softwareMissing)
            }
            if let command = need.command, ProcessControl.findExecutable(command, searchPath: searchPath) == nil {
                return Outcome(succeeded: false,
                               detail: "\(command) is not installed on \(host): command '\(command)' not found in PATH\(install(need.package))",
                               errorCode: .softwareMissing)
            }
        }
        if ProcessControl.findExecutable(argv0, searchPath: searchPath) == nil {
            let name = (argv0 as NSString).lastPathComponent
            let package = spec.requires.first { $0.command == name || $0.path == argv0 }?.package
            let why = argv0.contains("/") ? "\(argv0) does not exist or is not executable" : "command '\(argv0)' not found in PATH"
            return Outcome(succeeded: false, detail: "\(name) is not installed on \(host): \(why)\(install(package))",
                           errorCode: .softwareMissing)
        }
        return nil
    }

    /// Runs the role's prepare steps in order, unless a previous start ran
    /// them all; a failure (exit status, or past its timeout: killed) is a
    /// failed outcome (14008) with the steps' output.
    func prepareOnce(_ task: AgentTask, directory: InstanceDirectory, environment: [String: String],
                     workingDirectory: String) async -> Outcome? {
        let steps = task.process.prepare
        guard !steps.isEmpty, !FileManager.default.fileExists(atPath: directory.preparedMarker) else { return nil }
        let extra = placeholders(directory)
        let log = directory.path + "/prepare.log"
        for (i, step) in steps.enumerated() {
            let argv = ConfigRenderer.substitute(step.command, values: task.configuration, extra: extra)
            let name = "prepare step \(i + 1) (\(argv.joined(separator: " ").prefix(200)))"
            let pid: pid_t
            do {
                pid = try ProcessControl.spawn(argv, environment: environment, logPath: log, workingDirectory: workingDirectory,
                                               truncateLog: i == 0)
            } catch {
                return Outcome(succeeded: false, detail: "\(name) cannot start: \(error)", errorCode: .prepareFailed)
            }
            reaper.forget(pid)
            guard await reaper.waitGone(pid, timeout: .seconds(step.timeoutSeconds)) else {
                _ = await reaper.killGroup(pid)
                return Outcome(succeeded: false, detail: "\(name) did not finish within \(step.timeoutSeconds) s; it was killed",
                               outputTail: ProcessControl.tail(of: log), errorCode: .prepareFailed)
            }
            if case .exited(let status) = reaper.liveness(pid), status != 0 {
                let output = ProcessControl.tail(of: log)
                let words = ProcessControl.lastLine(of: output).map { ": " + $0 } ?? ""
                return Outcome(succeeded: false, detail: "\(name) exited with \(ProcessControl.describeExit(status))\(words)",
                               exitCode: status, outputTail: output, errorCode: .prepareFailed)
            }
        }
        _ = FileManager.default.createFile(atPath: directory.preparedMarker, contents: Data())
        logger.info("prepared", metadata: ["instance": "\(task.instance)", "steps": "\(steps.count)"])
        return nil
    }
}
