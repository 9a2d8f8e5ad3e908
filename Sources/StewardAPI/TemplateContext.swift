/// What a `template` config file sees when the agent renders it (Mustache):
/// the instance, its host, the cluster, the instance's effective values, and
/// the members of the roles its templates name, in ordinal order.
///
///     {{values.client_port}}  {{instance.ordinal}}  {{host.address}}
///     {{#roles.QuorumPeer}}server.{{ordinal}}={{address}}:2888:3888{{/roles.QuorumPeer}}
///
/// The agent adds `paths.instance_dir` and `paths.conf_dir` when it renders.
/// The manager builds it (`TemplateContextBuilder`); its digest is part of
/// the instance's configuration digest, so a new ensemble member makes every
/// member whose templates list the ensemble `config_stale`.
public struct TemplateContext: Codable, Sendable, Hashable {
    public struct Instance: Codable, Sendable, Hashable {
        public var service: String
        public var role: String
        public var host: String
        public var address: String
        /// 1-based and stable within the role: ZooKeeper's `myid`.
        public var ordinal: Int

        public init(service: String, role: String, host: String, address: String, ordinal: Int) {
            self.service = service
            self.role = role
            self.host = host
            self.address = address
            self.ordinal = ordinal
        }
    }

    public struct Host: Codable, Sendable, Hashable {
        public var name: String
        public var address: String

        public init(name: String, address: String) {
            self.name = name
            self.address = address
        }
    }

    public struct Cluster: Codable, Sendable, Hashable {
        public var id: Int
        public var name: String

        public init(id: Int, name: String) {
            self.id = id
            self.name = name
        }
    }

    /// One instance of a role, as another instance's template sees it.
    public struct Member: Codable, Sendable, Hashable {
        public var host: String
        public var address: String
        public var ordinal: Int
        /// Its effective values (service-level included).
        public var values: [String: String]

        public init(host: String, address: String, ordinal: Int, values: [String: String]) {
            self.host = host
            self.address = address
            self.ordinal = ordinal
            self.values = values
        }
    }

    public var instance: Instance
    public var host: Host
    public var cluster: Cluster
    public var values: [String: String]
    /// Role name -> its members in ordinal order; only the roles the templates name.
    public var roles: [String: [Member]]

    public init(instance: Instance, host: Host, cluster: Cluster, values: [String: String], roles: [String: [Member]]) {
        self.instance = instance
        self.host = host
        self.cluster = cluster
        self.values = values
        self.roles = roles
    }
}
