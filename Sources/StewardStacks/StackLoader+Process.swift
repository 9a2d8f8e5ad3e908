import StewardAPI
import StewardEngine

/// A role's `process` and `restart_on_failure`, validated: every bad value is
/// named with its role, so that a stack author sees all of them at once.
extension StackLoader {
    static func processSpec(_ p: StackFile.ProcessFile, role: String, params: [ParameterDefinition], problems: inout [String]) -> ProcessSpec {
        if p.start.isEmpty || p.start.first?.isEmpty == true { problems.append("role \(role): process.start is empty") }
        let check = healthCheck(p.check, role: role, params: params, problems: &problems)
        let startTimeout = p.startTimeoutSeconds ?? 60
        let stopTimeout = p.stopTimeoutSeconds ?? 10
        let interval = p.checkIntervalSeconds ?? ProcessSpec.defaultCheckIntervalSeconds
        if !(1...3600).contains(startTimeout) { problems.append("role \(role): start_timeout_seconds must be 1-3600") }
        if !(1...3600).contains(stopTimeout) { problems.append("role \(role): stop_timeout_seconds must be 1-3600") }
        if !(1...3600).contains(interval) { problems.append("role \(role): check_interval_seconds must be 1-3600") }
        let environment = p.environment ?? [:]
        for name in environment.keys.sorted() where !isEnvironmentName(name) {
            problems.append("role \(role): environment variable name '\(name)' must be letters, digits and _, not starting with a digit")
        }
        if let directory = p.workingDirectory, directory.isEmpty || !(directory.hasPrefix("/") || directory.hasPrefix("{")) {
            problems.append("role \(role): working_directory '\(directory)' must be an absolute path or start with a placeholder such as {instance_dir}")
        }
        var prepare: [PrepareStep] = []
        for (i, step) in (p.prepare ?? []).enumerated() {
            let timeout = step.timeoutSeconds ?? 60
            if step.command.isEmpty || step.command[0].isEmpty { problems.append("role \(role): prepare step \(i + 1) has an empty command") }
            if !(1...3600).contains(timeout) { problems.append("role \(role): prepare step \(i + 1) timeout_seconds must be 1-3600") }
            prepare.append(PrepareStep(command: step.command, timeoutSeconds: timeout))
        }
        var requires: [Requirement] = []
        for (i, need) in (p.requires ?? []).enumerated() {
            switch (need.path, need.command) {
            case (let path?, nil) where path.hasPrefix("/"): break
            case (let path?, nil): problems.append("role \(role): requires[\(i + 1)] path '\(path)' must be absolute")
            case (nil, let command?) where !command.isEmpty && !command.contains("/"): break
            case (nil, let command?): problems.append("role \(role): requires[\(i + 1)] command '\(command)' must be a program name, not a path")
            default: problems.append("role \(role): requires[\(i + 1)] must name exactly one of path or command")
            }
            requires.append(Requirement(path: need.path, command: need.command, package: need.package))
        }
        return ProcessSpec(start: p.start, check: check, startTimeoutSeconds: startTimeout, stopTimeoutSeconds: stopTimeout,
                           environment: environment, workingDirectory: p.workingDirectory, prepare: prepare,
                           requires: requires, checkIntervalSeconds: interval)
    }

    static func healthCheck(_ check: StackFile.CheckFile?, role: String, params: [ParameterDefinition], problems: inout [String]) -> HealthCheck {
        func port() -> String {
            let port = check?.portParameter ?? "port"
            if !params.contains(where: { $0.name == port && ($0.type == .port || $0.type == .int) }) {
                problems.append("role \(role): check port parameter '\(port)' is not an integer parameter of the role")
            }
            return port
        }
        func timeout(default value: Int) -> Int {
            let t = check?.timeoutSeconds ?? value
            if !(1...300).contains(t) { problems.append("role \(role): check timeout_seconds must be 1-300") }
            return t
        }
        switch check?.type ?? "process" {
        case "http":
            let path = check?.path ?? "/"
            if !path.hasPrefix("/") { problems.append("role \(role): check path must start with /") }
            return .http(portParameter: port(), path: path, timeoutSeconds: timeout(default: 2))
        case "tcp":
            let expect = check?.expect ?? []
            if expect.contains(where: \.isEmpty) { problems.append("role \(role): check expect texts must not be empty") }
            if check?.send?.isEmpty == true { problems.append("role \(role): check send must not be empty (leave it out to only connect)") }
            return .tcp(portParameter: port(), send: check?.send, expect: expect, timeoutSeconds: timeout(default: 2))
        case "command":
            let argv = check?.command ?? []
            if argv.isEmpty || argv[0].isEmpty { problems.append("role \(role): a command check needs a non-empty 'command'") }
            return .command(argv: argv, timeoutSeconds: timeout(default: 5))
        case "process":
            return .process
        case let other:
            problems.append("role \(role): check type '\(other)' is not http, tcp, command or process")
            return .process
        }
    }

    static func restartPolicy(_ r: StackFile.RestartFile, role: String, problems: inout [String]) -> RestartPolicy {
        let policy = RestartPolicy(initialBackoffSeconds: r.initialBackoffSeconds ?? 1, maxBackoffSeconds: r.maxBackoffSeconds ?? 60,
                                   maxRestarts: r.maxRestarts ?? 5, resetAfterSeconds: r.resetAfterSeconds ?? 300)
        let prefix = "role \(role): restart_on_failure."
        if !(0...3600).contains(policy.initialBackoffSeconds) { problems.append(prefix + "initial_backoff_seconds must be 0-3600") }
        if !(1...86400).contains(policy.maxBackoffSeconds) { problems.append(prefix + "max_backoff_seconds must be 1-86400") }
        if policy.maxBackoffSeconds < policy.initialBackoffSeconds {
            problems.append(prefix + "max_backoff_seconds must not be less than initial_backoff_seconds")
        }
        if !(1...1000).contains(policy.maxRestarts) { problems.append(prefix + "max_restarts must be 1-1000") }
        if !(1...604800).contains(policy.resetAfterSeconds) { problems.append(prefix + "reset_after_seconds must be 1-604800") }
        return policy
    }
}
