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

        enum CodingKeys: String, CodingKey {
            case name, description, hosts, process, configurations, instances
            case configFiles = "config_files"
        }
    }

    struct ProcessFile: Decodable {
        var start: [String]
        var check: CheckFile?
        var startTimeoutSeconds: Int?
        var stopTimeoutSeconds: Int?
        var environment: [String: String]?

        enum CodingKeys: String, CodingKey {
            case start, check, environment
            case startTimeoutSeconds = "start_timeout_seconds"
            case stopTimeoutSeconds = "stop_timeout_seconds"
        }
    }

    struct CheckFile: Decodable {
        var type: String
        var portParameter: String?
        var path: String?

        enum CodingKeys: String, CodingKey {
            case type, path
            case portParameter = "port_parameter"
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
