import Foundation
import StewardAPI

/// The last task of an instance taken off its host.
extension InstanceSupervisor {
    /// Stops the instance if it runs, then deletes its directory (config
    /// files, pid, log, data) and stops reporting it. An instance this agent
    /// has no directory for is already clean: a repeated clean-up succeeds.
    func remove(role: String, timeout: Int) async -> Outcome {
        let stopped = await stop(role: role, timeout: timeout)
        guard stopped.succeeded else { return stopped }
        let path = directory(role).path
        guard role != "." && role != ".." && !role.contains("/") else {
            return Outcome(succeeded: false, detail: "refusing to delete '\(path)': not an instance directory")
        }
        forget(role: role)
        guard FileManager.default.fileExists(atPath: path) else {
            return Outcome(succeeded: true, detail: "nothing to clean up: \(path) does not exist")
        }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            return Outcome(succeeded: false, detail: "could not delete \(path): \(error)")
        }
        logger.info("removed", metadata: ["role": "\(role)", "directory": "\(path)"])
        let was = stopped.detail == "not running" ? "it was not running" : "it was \(stopped.detail)"
        return Outcome(succeeded: true, detail: "deleted \(path); \(was)")
    }
}
