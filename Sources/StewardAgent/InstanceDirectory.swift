#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import StewardAPI
import StewardSystem

/// One instance's directory under the agent's data directory: what a
/// restarted agent reads to re-attach to the process it finds running.
///
///     <root>/<Role>/service        the service's name
///     <root>/<Role>/process.json   the role's ProcessSpec (its health check)
///     <root>/<Role>/conf/          the rendered config files
///     <root>/<Role>/pid            the running process (its group leader)
///     <root>/<Role>/config.digest  the configuration it was started with
///     <root>/<Role>/values.json    the effective configuration (0600), for health checks after a re-attach
///     <root>/<Role>/prepared       the prepare steps ran (the first start's)
///     <root>/<Role>/<Role>.log     its output, appended to across starts
struct InstanceDirectory {
    let path: String
    let role: String

    init(root: String, role: String) {
        self.path = "\(root)/\(role)"
        self.role = role
    }

    var conf: String { path + "/conf" }
    var log: String { path + "/\(role).log" }
    var pidFile: String { path + "/pid" }
    var digestFile: String { path + "/config.digest" }
    var valuesFile: String { path + "/values.json" }
    var preparedMarker: String { path + "/prepared" }
    /// A command check's output, its last run's only.
    var checkLog: String { path + "/check.log" }

    /// Writes what a start needs before the process runs: the service's
    /// name, the process spec and the rendered config files.
    func prepare(for task: AgentTask) throws {
        try FileManager.default.createDirectory(atPath: conf, withIntermediateDirectories: true)
        try Data(task.instance.service.utf8).write(to: URL(fileURLWithPath: path + "/service"))
        // The spec holds the environment the stack declares, which may carry a secret.
        try SecretFile.write(Array(try JSONEncoder().encode(task.process)), to: path + "/process.json",
                            durability: .survivesProcessCrash)
        // The values, for a restarted agent's health checks (the port to check): a role's own files
        // need not hold them in a form the agent reads (a template's output is the software's format).
        try SecretFile.write(Array(try JSONEncoder().encode(task.configuration)), to: valuesFile,
                            durability: .survivesProcessCrash)
        let paths = ["instance_dir": path, "conf_dir": conf]
        for file in task.configFiles {
            try ConfigRenderer.write(file, values: task.configuration, context: task.context, paths: paths,
                                     to: conf + "/" + file.name)
        }
    }

    /// Records a started process: its pid and the configuration it runs with.
    func recordStart(pid: pid_t, digest: String) {
        try? "\(pid)\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        try? digest.write(toFile: digestFile, atomically: true, encoding: .utf8)
    }

    func removePid() {
        try? FileManager.default.removeItem(atPath: pidFile)
    }

    var service: String? { try? String(contentsOfFile: path + "/service", encoding: .utf8) }

    var processSpec: ProcessSpec? {
        guard let data = FileManager.default.contents(atPath: path + "/process.json") else { return nil }
        return try? JSONDecoder().decode(ProcessSpec.self, from: data)
    }

    /// The configuration the process was started with; an older agent kept
    /// only the demo stack's `role.json`.
    var configuration: [String: String] {
        FileManager.default.fileExists(atPath: valuesFile) ? ConfigRenderer.read(json: valuesFile) : ConfigRenderer.read(json: conf + "/role.json")
    }

    var pid: pid_t? {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8) else { return nil }
        return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    var digest: String? { try? String(contentsOfFile: digestFile, encoding: .utf8) }
}
