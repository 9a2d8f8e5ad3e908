import ArgumentParser
import StewardAPI

// The wire's enums as option values: `--state FAILED`, `--result FAILURE`.
extension CommandState: ExpressibleByArgument {}
extension CommandKind: ExpressibleByArgument {}
extension AuditResult: ExpressibleByArgument {}
extension ExecutionState: ExpressibleByArgument {}
