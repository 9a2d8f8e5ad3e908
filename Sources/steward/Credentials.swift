import Foundation
import StewardSystem

/// What `steward login` keeps: the manager, the user and its password, in a
/// file only its owner can read (0600, in a 0700 directory), like a netrc.
/// `STEWARD_CREDENTIALS` names another file.
struct Credentials: Codable {
    var manager: String
    var user: String
    var password: String
    var caFile: String?

    static var path: String {
        let env = ProcessInfo.processInfo.environment
        if let path = env["STEWARD_CREDENTIALS"] { return path }
        let base = env["XDG_CONFIG_HOME"] ?? (NSHomeDirectory() + "/.config")
        return base + "/steward/credentials.json"
    }

    static func load() -> Credentials? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(Credentials.self, from: data)
    }

    func save() throws {
        let dir = (Self.path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try SecretFile.write(Array(try JSONEncoder().encode(self)), to: Self.path)
    }
}
