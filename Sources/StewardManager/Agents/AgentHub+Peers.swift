import StewardAPI
import StewardEngine

/// The other managers on the database, as the hub sees them (`Peers` in the
/// manager; nil for a lone manager on SQLite): told where each agent is and
/// what it reports, and the way to a host whose agent is connected elsewhere.
protocol PeerLink: Sendable {
    /// A host's agent registered here, or reported a change of its instances.
    func present(_ host: String, reports: [InstanceReport]) async
    /// A host's agent stopped beating here.
    func departed(_ host: String) async
    /// Tasks for a host whose agent is connected to another manager.
    func post(_ tasks: [AgentTask], host: String) async
}

extension AgentHub {
    func connect(peers: any PeerLink) { self.peers = peers }

    /// Another manager says the host's agent is connected there: this hub
    /// stops waiting for its heartbeats (its silence here is no loss), and
    /// what waits here for it goes to the store for that manager.
    func movedAway(_ host: String, seenAt: Millis) async {
        guard var link = links[host] else { return }
        link.lastSeen = max(link.lastSeen ?? 0, seenAt)
        guard !link.elsewhere else {
            links[host] = link
            return
        }
        link.elsewhere = true
        link.lost = true
        let waiting = link.unacknowledged + link.queue
        link.queue = []
        link.unacknowledged = []
        let waiter = link.waiter
        link.waiter = nil
        links[host] = link
        waiter?.continuation.resume(returning: AgentWork(tasks: []))
        if !waiting.isEmpty { await peers?.post(waiting, host: host) }
    }

    /// The manager the host's agent was connected to lost it: it is lost to this
    /// manager too, whose running tasks on it will never report.
    func goneElsewhere(_ host: String) async {
        guard links[host]?.elsewhere == true else { return }
        links[host]?.elsewhere = false
        try? await center?.receive(.hostLost(host))
    }

    /// Whether the host's agent is connected here now: the manager that hands it its mail.
    func isConnectedHere(_ host: String) -> Bool { links[host].map { !$0.lost } ?? false }
}
