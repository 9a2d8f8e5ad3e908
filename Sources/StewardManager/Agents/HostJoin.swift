import StewardAPI
import StewardEngine

/// A host joining the cluster: what its agent's hello says of it, as the
/// topology keeps it (stored, so that a restarted manager shows it before the
/// agent says it again), and whether its name may be a new host's.
enum HostJoin {
    static func record(from hello: AgentHello) -> HostRecord {
        HostRecord(name: hello.host, address: hello.address, cores: hello.cores, memoryMiB: hello.memoryMiB, os: hello.os,
                   joinedAt: 0)
    }

    /// A new host's name becomes part of instance names (`Role@host`), paths
    /// and the UI: a letter or digit, then up to 62 letters, digits, `.`, `_`
    /// or `-`. A join under any other name is refused before anything is stored.
    static func checkNewName(_ name: String) throws(StewardError) {
        let allowed = name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x2e || c == 0x5f || c == 0x2d
        }
        guard allowed, (1...63).contains(name.utf8.count), let first = name.utf8.first, first != 0x2e, first != 0x5f, first != 0x2d else {
            throw StewardError(.invalidParameter, "'\(name.prefix(64))' is not a valid host name: a letter or digit, "
                               + "then up to 62 letters, digits, '.', '_' or '-'.")
        }
    }
}
