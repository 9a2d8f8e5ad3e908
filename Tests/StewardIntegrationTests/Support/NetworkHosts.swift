#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Hosts for a test as network namespaces, each with its own address on a
/// bridge that the test creates in the root namespace, as in RECIPES.md
/// section 6. The manager listens on the bridge's address; each host's agent
/// runs inside its namespace (`ip netns exec`). Names and the subnet derive
/// from the test process's id, so parallel runs do not collide; everything is
/// removed by `tearDown`, and a run that died is cleaned by the next one
/// with the same id.
struct NetworkHosts {
    let count: Int
    let tag: String
    let subnet: String

    /// Root (needs `ip netns`) and iproute2 present.
    static var available: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ||
            getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/sbin/ip")
    }

    init(count: Int) {
        self.count = count
        let id = Int(getpid())
        tag = "s\(id % 100_000)"
        subnet = "10.231.\(id % 250)"
    }

    var bridge: String { "\(tag)br" }
    var bridgeAddress: String { "\(subnet).1" }
    func namespace(_ i: Int) -> String { "\(tag)h\(i)" }
    func address(_ i: Int) -> String { "\(subnet).\(10 + i)" }
    /// The root side of host i's veth pair: down cuts the host off.
    func outside(_ i: Int) -> String { "\(tag)h\(i)o" }
    private func inside(_ i: Int) -> String { "\(tag)h\(i)i" }

    /// Runs `argv` inside host i's namespace.
    func command(_ i: Int, _ argv: [String]) -> [String] { [Self.ip, "netns", "exec", namespace(i)] + argv }

    func setUp() async throws {
        await tearDown()
        try await ip(["link", "add", bridge, "type", "bridge"])
        try await ip(["addr", "add", "\(bridgeAddress)/24", "dev", bridge])
        try await ip(["link", "set", bridge, "up"])
        for i in 1...count {
            try await ip(["netns", "add", namespace(i)])
            try await ip(["link", "add", outside(i), "type", "veth", "peer", "name", inside(i)])
            try await ip(["link", "set", inside(i), "netns", namespace(i)])
            try await ip(["link", "set", outside(i), "master", bridge])
            try await ip(["link", "set", outside(i), "up"])
            try await ip(["netns", "exec", namespace(i), Self.ip, "addr", "add", "\(address(i))/24", "dev", inside(i)])
            try await ip(["netns", "exec", namespace(i), Self.ip, "link", "set", inside(i), "up"])
            try await ip(["netns", "exec", namespace(i), Self.ip, "link", "set", "lo", "up"])
        }
    }

    func setLink(_ i: Int, up: Bool) async throws {
        try await ip(["link", "set", outside(i), up ? "up" : "down"])
    }

    /// Deleting a namespace deletes the veth end inside it, and with it the pair.
    func tearDown() async {
        for i in 1...count {
            _ = try? await tool([Self.ip, "link", "del", outside(i)])
            _ = try? await tool([Self.ip, "netns", "del", namespace(i)])
        }
        _ = try? await tool([Self.ip, "link", "del", bridge])
    }

    static var ip: String { FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip" }

    private func ip(_ arguments: [String]) async throws {
        let run = try await tool([Self.ip] + arguments)
        guard run.status == 0 else { throw Missing(description: "ip \(arguments.joined(separator: " ")): \(run.output)") }
    }
}
