import ServiceLifecycle

/// Runs `Peers.listen` for the manager's life.
struct PeerService: Service {
    let peers: Peers

    func run() async throws {
        await cancelWhenGracefulShutdown { await peers.listen() }
    }
}
