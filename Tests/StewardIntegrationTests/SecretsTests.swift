import Foundation
import StewardClient
import StewardAPI
import StewardSystem
import Testing

extension IntegrationTests {
    @Test("a PASSWORD value is sealed in the database, opened only into its host's config, and survives a restart; secret files are 0600")
    func secretsAtRest() async throws {
        try await withCluster(stackJSON: Self.secretStack) { cluster, api in
            let secret = "Sealed-Secret-Value-42"
            let save = try await api.saveConfiguration(SaveConfigurationRequest(restartAffectedComponents: false, components: [
                .init(componentName: "Vault", children: [.init(roleName: "VaultServer", configurations: [.init(name: "db_password", value: secret)])]),
            ]))
            #expect(save.status == 200)
            let manager = cluster.root + "/manager"
            // Whoever copies the database (or its write-ahead log) gets ciphertext only.
            var stored = Data()
            for suffix in ["", "-wal", "-shm"] {
                stored.append(FileManager.default.contents(atPath: manager + "/steward.db" + suffix) ?? Data())
            }
            #expect(stored.range(of: Data(secret.utf8)) == nil, "the clear value is in the database")
            #expect(stored.range(of: Data("sealed:v1:".utf8)) != nil)
            for file in ["steward.db", "secret.key", "agent.token"] {
                #expect(SecretFile.mode(of: manager + "/" + file) == 0o600, "\(file) is not 0600")
            }

            // After a restart the manager opens it with its key, for the one host whose instance uses it.
            let port = await cluster.managerPort
            await cluster.signalManager(SIGTERM)
            try await cluster.startManager(port: port)
            try await cluster.waitForHosts(connected: ["host-1", "host-2", "host-3"])
            let restarted = await cluster.client
            #expect(try await restarted.run(.start, "Vault", onlySelf: true).state == .complete)
            let conf = cluster.root + "/host-1/instances/VaultServer/conf/role.json"
            #expect(try String(contentsOfFile: conf, encoding: .utf8).contains(secret))
            #expect(SecretFile.mode(of: conf) == 0o600)
            for host in ["host-2", "host-3"] {
                #expect(!FileManager.default.fileExists(atPath: cluster.root + "/\(host)/instances/VaultServer"))
            }
        }
    }

    @Test("--admin-password-file gives the first admin its password; an empty file is refused")
    func adminPasswordFile() async throws {
        let dir = NSTemporaryDirectory() + "steward-pwfile-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try SecretFile.write("", to: dir + "/empty")
        let (status, output) = try await steward(["manager", "--data-dir", dir + "/data", "--port", "0",
                                                  "--admin-password-file", dir + "/empty"], manager: "")
        #expect(status != 0)
        #expect(output.contains("is empty"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/data/steward.db"), "nothing was created")
    }
}
