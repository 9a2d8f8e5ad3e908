import StewardAPI
import StewardEngine

/// The on-disk stack format (JSON, snake_case keys), documented in docs/stacks.md.
/// It decodes into these types, which `StackLoader` validates into a `Stack`.
struct StackFile: Decodable {
    var name: String
    var version: String
    var description: String?
    var cluster: ClusterFile
    var services: [ServiceFile]

    struct ClusterFile: Decodable {
        var id: Int
        var name: String
        var description: String?
        var hosts: [HostEntry]
    }

    /// `"host-1"` or `{"name": "host-1", "address": "127.0.1.1"}`.
    struct HostEntry: Decodable {
        var name: String
        var address: String?

        enum CodingKeys: String, CodingKey { case name, address }

        init(from decoder: any Decoder) throws {
            if let plain = try? decoder.singleValueContainer().decode(String.self) {
                name = plain
                address = nil
                return
            }
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            address = try c.decodeIfPresent(String.self, forKey: .address)
        }
    }

    struct ServiceFile: Decodable {
        var name: String
        var description: String?
        var version: String?
        var dependsOn: [String]?
        var roleOrder: String?
        var configurations: [ParameterFile]?
        var roles: [RoleFile]

        enum CodingKeys: String, CodingKey {
            case name, description, version, configurations, roles
            case dependsOn = "depends_on"
            case roleOrder = "role_order"
        }
    }

    struct RoleFile: Decodable {
        var name: String
        var description: String?
        var hosts: [String]
        var process: ProcessFile
        var configurations: [ParameterFile]?
        var instances: [String: [String: String]]?
        var configFiles: [ConfigFileFile]?
        var restartOnFailure: RestartFile?

        enum CodingKeys: String, CodingKey {
            case name, description, hosts, process, configurations, instances
            case configFiles = "config_files"
            case restartOnFailure = "restart_on_failure"
        }
    }

    struct RestartFile: Decodable {
        var initialBackoffSeconds: Int?
        var maxBackoffSeconds: Int?
        var maxRestarts: Int?
        var resetAfterSeconds: Int?

        enum CodingKeys: String, CodingKey {
            case initialBackoffSeconds = "initial_backoff_seconds"
            case maxBackoffSeconds = "max_backoff_seconds"
            case maxRestarts = "max_restarts"
            case resetAfterSeconds = "reset_after_seconds"
        }
    }

    struct ProcessFile: Decodable {
        var start: [String]
        var check: CheckFile?
        var startTimeoutSeconds: Int?
        var stopTimeoutSeconds: Int?
        var environment: [String: String]?
        var workingDirectory: String?
        var prepare: [PrepareFile]?
        var requires: [RequirementFile]?
        var checkIntervalSeconds: Int?

        enum CodingKeys: String, CodingKey {
            case start, check, environment, prepare, requires
            case startTimeoutSeconds = "start_timeout_seconds"
            case stopTimeoutSeconds = "stop_timeout_seconds"
            case workingDirectory = "working_directory"
            case checkIntervalSeconds = "check_interval_seconds"
        }
    }

    struct PrepareFile: Decodable {
        var command: [String]
        var timeoutSeconds: Int?

        enum CodingKeys: String, CodingKey {
            case command
            case timeoutSeconds = "timeout_seconds"
        }
    }

    struct RequirementFile: Decodable {
        var path: String?
        var command: String?
        var package: String?
    }

    struct CheckFile: Decodable {
        var type: String
        var portParameter: String?
        var path: String?
        var send: String?
        var expect: [String]?
        var command: [String]?
        var timeoutSeconds: Int?

        enum CodingKeys: String, CodingKey {
            case type, path, send, expect, command
            case portParameter = "port_parameter"
            case timeoutSeconds = "timeout_seconds"
        }
    }

    struct ParameterFile: Decodable {
        var name: String
        var type: String
        var `default`: String
        var description: String?
        var min: Int?
        var max: Int?
        var allowed: [String]?
        var maxLength: Int?

        enum CodingKeys: String, CodingKey {
            case name, type, `default`, description, min, max, allowed
            case maxLength = "max_length"
        }
    }

    struct ConfigFileFile: Decodable {
        var name: String
        var format: String
        var template: String?
        var templateFile: String?

        enum CodingKeys: String, CodingKey {
            case name, format, template
            case templateFile = "template_file"
        }
    }
}
