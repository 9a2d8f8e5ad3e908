import StewardAPI

/// A host of the cluster as the manager keeps it: what its agent said of it
/// when it joined, and whether it still takes instances.
public struct HostRecord: Sendable, Hashable, Codable {
    public var name: String
    /// The address the agent reported (its `--address`), else the stack's, else nil.
    public var address: String?
    public var cores: Int?
    public var memoryMiB: Int?
    public var os: String?
    public var state: HostState
    public var joinedAt: Millis

    public init(name: String, address: String? = nil, cores: Int? = nil, memoryMiB: Int? = nil, os: String? = nil,
                state: HostState = .active, joinedAt: Millis) {
        self.name = name
        self.address = address
        self.cores = cores
        self.memoryMiB = memoryMiB
        self.os = os
        self.state = state
        self.joinedAt = joinedAt
    }
}

/// One instance of a role placed on a host, with its ordinal: stable for the
/// instance's life, unique within its role, assigned max+1 and never reused,
/// so that a ZooKeeper `myid` taken from it never names two members.
public struct PlacedInstance: Sendable, Hashable, Codable {
    public let ref: InstanceRef
    public let ordinal: Int

    public init(_ ref: InstanceRef, ordinal: Int) {
        self.ref = ref
        self.ordinal = ordinal
    }
}

/// What a template may know of one member of a role: the seam the template
/// context is built from (`ClusterState.templateMembers()`).
public struct TopologyMember: Sendable, Hashable {
    public let instance: InstanceRef
    public let ordinal: Int
    /// The host's address, else its name.
    public let address: String
}

/// The cluster's hosts and the instances placed on them: what the stack's
/// layout seeds when a cluster is created and operators change afterwards.
/// Pure: each change is checked here, against the stack, before anything is
/// stored, and refused with the catalogue's code when it would not hold.
public struct Topology: Sendable, Hashable {
    /// Hosts in the order they joined (the layout's order first).
    public private(set) var hosts: [HostRecord]
    /// Every placed instance, ordinals ascending within a role.
    public private(set) var placed: [PlacedInstance]
    /// The highest ordinal ever assigned per role: removed instances' ordinals stay used.
    public private(set) var lastOrdinal: [String: Int]
    /// Each placed instance's ordinal: every heartbeat's reports are checked
    /// against it, which a scan of `placed` would make cost hosts × instances.
    private var ordinals: [InstanceRef: Int]

    public init(hosts: [HostRecord], placed: [PlacedInstance], lastOrdinal: [String: Int] = [:]) {
        self.hosts = hosts
        self.placed = placed.sorted { ($0.ref.role, $0.ordinal) < ($1.ref.role, $1.ordinal) }
        var last = lastOrdinal
        for p in placed { last[p.ref.role] = max(last[p.ref.role] ?? 0, p.ordinal) }
        self.lastOrdinal = last
        self.ordinals = Dictionary(placed.map { ($0.ref, $0.ordinal) }, uniquingKeysWith: { first, _ in first })
    }

    /// The stack's layout as the first placement: its hosts, and each role on
    /// the hosts it names, numbered 1, 2, … in the order it names them.
    public init(layoutOf stack: Stack, joinedAt: Millis = 0) {
        let placed = stack.services.flatMap { service in
            service.roles.flatMap { role in
                role.hosts.enumerated().map { i, host in
                    PlacedInstance(InstanceRef(service: service.name, role: role.name, host: host), ordinal: i + 1)
                }
            }
        }
        self.init(hosts: stack.cluster.hosts.map { HostRecord(name: $0, joinedAt: joinedAt) }, placed: placed)
    }

    // MARK: reading

    public var hostNames: [String] { hosts.map(\.name) }

    public func host(_ name: String) -> HostRecord? { hosts.first { $0.name == name } }

    public func contains(_ ref: InstanceRef) -> Bool { ordinals[ref] != nil }

    public func placement(of ref: InstanceRef) -> PlacedInstance? { ordinals[ref].map { PlacedInstance(ref, ordinal: $0) } }

    /// A role's instances, by ordinal.
    public func placements(ofRole role: String) -> [PlacedInstance] { placed.filter { $0.ref.role == role } }

    public func instances(onHost host: String) -> [InstanceRef] { placed.map(\.ref).filter { $0.host == host } }

    /// Every instance in the stack's order: service, role, then ordinal.
    public func instances(in stack: Stack) -> [InstanceRef] {
        stack.services.flatMap { service in
            service.roles.flatMap { role in placements(ofRole: role.name).map(\.ref) }
        }
    }

    /// The instance an API name such as `QuorumPeer@host-4` names, or 404 11006.
    public func instance(named name: String) throws(StewardError) -> InstanceRef {
        let parts = name.split(separator: "@", maxSplits: 1).map(String.init)
        if parts.count == 2, let found = placed.first(where: { $0.ref.role == parts[0] && $0.ref.host == parts[1] }) {
            return found.ref
        }
        throw StewardError(.instanceNotFound, "Instance '\(name.prefix(128))' does not exist (names are Role@host).")
    }

    /// Every member of every role, by ordinal, with its host's address: what a
    /// template listing an ensemble sees.
    public func members(in stack: Stack) -> [String: [TopologyMember]] {
        var out: [String: [TopologyMember]] = [:]
        for service in stack.services {
            for role in service.roles {
                out[role.name] = placements(ofRole: role.name).map { p in
                    TopologyMember(instance: p.ref, ordinal: p.ordinal, address: host(p.ref.host)?.address ?? p.ref.host)
                }
            }
        }
        return out
    }

    // MARK: checks

    /// The instance an add would place, or why it cannot be placed: an unknown
    /// role (11004), an unknown host (11003), a decommissioned host (13012), the
    /// role already on that host (13010).
    public func checkAdd(role roleName: String, host hostName: String, in stack: Stack) throws(StewardError) -> PlacedInstance {
        guard let (service, role) = stack.role(roleName) else {
            throw StewardError(.roleNotFound, "Role '\(roleName.prefix(64))' does not exist in the stack.")
        }
        let host = try existingHost(hostName)
        guard host.state == .active else {
            throw StewardError(.hostDecommissioned, "Host '\(host.name)' is decommissioned; it takes no new instances. Forget it and let its agent join again to use it.")
        }
        let ref = InstanceRef(service: service.name, role: role.name, host: host.name)
        guard !contains(ref) else {
            throw StewardError(.roleAlreadyOnHost, "Role '\(role.name)' already has an instance on host '\(host.name)' (\(ref)).")
        }
        return PlacedInstance(ref, ordinal: (lastOrdinal[role.name] ?? 0) + 1)
    }

    /// The host a decommission takes, with the instances it removes.
    public func checkDecommission(_ hostName: String) throws(StewardError) -> (host: HostRecord, instances: [InstanceRef]) {
        let host = try existingHost(hostName)
        return (host, instances(onHost: host.name))
    }

    /// A host may be forgotten only once it has no instances (decommissioned, or never given any).
    public func checkForget(_ hostName: String) throws(StewardError) -> HostRecord {
        let host = try existingHost(hostName)
        let left = instances(onHost: host.name)
        guard left.isEmpty else {
            throw StewardError(.hostNotEmpty, "Host '\(host.name)' still has \(left.count) instance(s) (\(Planner.listing(left.map(\.description), noun: "instances"))); decommission it first.")
        }
        return host
    }

    public func existingHost(_ name: String) throws(StewardError) -> HostRecord {
        guard let host = host(name) else {
            throw StewardError(.hostNotFound, "Host '\(name.prefix(64))' does not exist in the cluster.")
        }
        return host
    }

    // MARK: changes (each checked first by the caller, or a no-op)

    /// Places an instance checked by `checkAdd`.
    public mutating func place(_ instance: PlacedInstance) {
        guard !contains(instance.ref) else { return }
        placed.append(instance)
        ordinals[instance.ref] = instance.ordinal
        placed.sort { ($0.ref.role, $0.ordinal) < ($1.ref.role, $1.ordinal) }
        lastOrdinal[instance.ref.role] = max(lastOrdinal[instance.ref.role] ?? 0, instance.ordinal)
    }

    /// Takes an instance off its host; its ordinal stays used.
    public mutating func remove(_ ref: InstanceRef) {
        guard ordinals.removeValue(forKey: ref) != nil else { return }
        placed.removeAll { $0.ref == ref }
    }

    /// A host joins, or a joined host's agent reports its facts again: the
    /// facts are updated, its state and join time kept.
    public mutating func join(_ record: HostRecord) {
        if let i = hosts.firstIndex(where: { $0.name == record.name }) {
            hosts[i].address = record.address ?? hosts[i].address
            hosts[i].cores = record.cores ?? hosts[i].cores
            hosts[i].memoryMiB = record.memoryMiB ?? hosts[i].memoryMiB
            hosts[i].os = record.os ?? hosts[i].os
        } else {
            hosts.append(record)
        }
    }

    public mutating func setState(_ state: HostState, of host: String) {
        if let i = hosts.firstIndex(where: { $0.name == host }) { hosts[i].state = state }
    }

    /// Drops a host with no instances.
    public mutating func forget(_ host: String) {
        guard instances(onHost: host).isEmpty else { return }
        hosts.removeAll { $0.name == host }
    }
}
