import Logging
import StewardAPI
import StewardEngine
import StewardStore

/// The other managers on one database. Nothing passes between managers but
/// the store and its notices (`Notice`): this manager announces where each
/// agent is (presence) and what waits for whom (mail), and acts on what the
/// others announce: a command another drives is read again so that its
/// progress here is current; tasks waiting for an agent connected here are
/// taken and handed to it; results waiting for a command driven here are
/// applied; a configuration or topology changed elsewhere is read again.
/// Built only on a shared (PostgreSQL) store; a lone manager has no peers.
actor Peers: PeerLink {
    let store: any Store
    let notices: any NoticeBoard
    let hub: AgentHub
    let center: CommandCenter
    let cluster: ClusterState
    let progress: ProgressCache
    let clock: any TimeSource
    let logger: Logger
    private var lastReports: [String: [InstanceReport]] = [:]

    init(store: any Store, notices: any NoticeBoard, hub: AgentHub, center: CommandCenter, cluster: ClusterState,
         progress: ProgressCache, clock: any TimeSource, logger: Logger) {
        self.store = store
        self.notices = notices
        self.hub = hub
        self.center = center
        self.cluster = cluster
        self.progress = progress
        self.clock = clock
        self.logger = logger
    }

    // MARK: what the hub tells the others

    func present(_ host: String, reports: [InstanceReport]) async {
        let presence = HostPresence(host: host, manager: store.owner, connected: true, seenAt: clock.now(), reports: reports)
        do {
            try await store.savePresence(presence)
            await notices.announce(.presence(host: host))
        } catch {
            logger.warning("could not store a host's presence", metadata: ["host": "\(host)", "error": "\(error)"])
        }
        await deliverMail(for: host)
    }

    func departed(_ host: String) async {
        let presence = HostPresence(host: host, manager: store.owner, connected: false, seenAt: clock.now(), reports: [])
        do {
            try await store.savePresence(presence)
            await notices.announce(.presence(host: host))
        } catch {
            logger.warning("could not store a host's presence", metadata: ["host": "\(host)", "error": "\(error)"])
        }
    }

    func post(_ tasks: [AgentTask], host: String) async {
        do {
            try await store.post(tasks, host: host, now: clock.now())
            await notices.announce(.mailbox(host: host))
        } catch {
            // Not sent: the tasks time out, as they would on a host that never answers.
            logger.error("could not post tasks for another manager", metadata: ["host": "\(host)", "error": "\(error)"])
        }
    }

    // MARK: what the others announce

    /// Acts on every notice until the manager stops.
    func listen() async {
        for await notice in notices.notices() {
            await handle(notice)
        }
    }

    func handle(_ notice: Notice) async {
        switch notice {
        case .command(let id): await refresh(command: id)
        case .cluster: await reloadCluster()
        case .mailbox(let host): await deliverMail(for: host)
        case .inbox(let command): await center.takeInboxNow([command])
        case .presence(let host): await refresh(presence: host)
        case .user, .sessionEnded, .agentCredentials: break
        }
    }

    /// A command another manager drives changed: read it, so that its progress here is as current.
    private func refresh(command id: Int64) async {
        if await center.drives(id) { return }
        if let known = progress.get(id), known.terminal { return }
        guard let command = try? await store.command(id: id) else { return }
        progress.publishStored(command)
    }

    private func deliverMail(for host: String) async {
        guard await hub.isConnectedHere(host) else { return }
        do {
            let tasks = try await store.takeMail(host: host)
            if !tasks.isEmpty { await hub.enqueue(tasks, for: host) }
        } catch {
            logger.warning("could not take a host's mail", metadata: ["host": "\(host)", "error": "\(error)"])
        }
    }

    private func refresh(presence host: String) async {
        guard let p = try? await store.presence(host: host), p.manager != store.owner else { return }
        if p.connected {
            await hub.movedAway(host, seenAt: p.seenAt)
            await cluster.record(p.reports, host: host)
        } else {
            await hub.goneElsewhere(host)
        }
    }

    private func reloadCluster() async {
        do {
            let values = try await store.configValues(clusterId: cluster.clusterId)
            let topology = try await store.topology(clusterId: cluster.clusterId)
            await cluster.reload(values: values, topology: topology)
            for host in topology.hostNames { await hub.add(host: host) }
        } catch {
            logger.warning("could not read the cluster again", metadata: ["error": "\(error)"])
        }
    }
}
