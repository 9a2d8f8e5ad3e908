import StewardAPI
import StewardEngine

/// What an agent's hello says of its host, as the topology keeps it.
///
/// The one seam for the hello's facts: the hello is to carry the host's
/// address, cores, memory and OS (issue 12, the templates+lab part); until it
/// does, only the name is known, and the columns stay empty. When it does,
/// this is the only place to read them.
enum HostFacts {
    static func record(from hello: AgentHello) -> HostRecord {
        HostRecord(name: hello.host, joinedAt: 0)
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
