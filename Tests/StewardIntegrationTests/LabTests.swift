import Foundation
import StewardAPI
import StewardClient
import Testing

/// The `lab` stack with the real software and its own clients (issue 12, part 2).
extension IntegrationTests {
    @Test("ZooKeeper: a real three-member ensemble; data written through one member is read through another",
          .enabled(if: LabSoftware.runnable, LabSoftware.skipReason))
    func zookeeperEnsemble() async throws {
        try await withLab { _, api in
            let started = try await api.run(.start, "ZooKeeper", onlySelf: true)
            #expect(started.state == .complete, "\(started.resObj?.failEntityList ?? [])")
            // Each host shows the address its agent was given, and what it is.
            let hosts = try await api.hosts()
            #expect(hosts.map(\.ip) == ["127.0.1.1", "127.0.1.2", "127.0.1.3"])
            #expect(hosts.allSatisfy { ($0.cores ?? 0) > 0 && ($0.memoryMib ?? 0) > 0 && $0.os != nil })

            // The start's health check is the client port until the check sends `srvr` (then it is
            // leader or follower); meanwhile the ensemble may still be electing its leader.
            let modes = try await waitFor("a leader and two followers", timeout: .seconds(60)) { () -> [String]? in
                let modes = try await Self.zookeeperModes()
                return modes == ["Mode: follower", "Mode: follower", "Mode: leader"] ? modes : nil
            }
            #expect(modes.count == 3)
            let created = try await zkCli(1, "create", "/steward-lab", "written-on-1")
            #expect(created.output.contains("Created /steward-lab"), "\(created.output)")
            // A follower may serve a read a moment before it has applied the write.
            let read = try await waitFor("the znode through 127.0.1.3", timeout: .seconds(60)) { () -> String? in
                let got = try await zkCli(3, "get", "/steward-lab")
                return got.output.contains("written-on-1") ? got.output : nil
            }
            #expect(read.contains("written-on-1"))
        }
    }

    /// What `srvr` says of each member's mode, sorted; a member that does not answer says nothing.
    static func zookeeperModes() async throws -> [String] {
        var modes: [String] = []
        for n in 1...3 {
            let srvr = try await tool(["/bin/sh", "-c", "echo srvr | nc -q1 127.0.1.\(n) 2181"], timeout: .seconds(10))
            modes += srvr.output.split(separator: "\n").filter { $0.hasPrefix("Mode: ") }.map(String.init)
        }
        return modes.sorted()
    }

    @Test("Redis: a key set on the primary is read on both replicas",
          .enabled(if: LabSoftware.runnable, LabSoftware.skipReason))
    func redisReplication() async throws {
        try await withLab { _, api in
            let started = try await api.run(.start, "Redis", onlySelf: true)
            #expect(started.state == .complete, "\(started.resObj?.failEntityList ?? [])")
            #expect(try await redis(1, password: "steward-lab", "set", "lab-key", "from-primary") == "OK")
            for replica in [2, 3] {
                let value = try await waitFor("lab-key on 127.0.1.\(replica)", timeout: .seconds(30)) { () -> String? in
                    let got = try await redis(replica, password: "steward-lab", "get", "lab-key")
                    return got == "from-primary" ? got : nil
                }
                #expect(value == "from-primary")
                let role = try await redis(replica, password: "steward-lab", "info", "replication")
                #expect(role.contains("role:slave") && role.contains("master_host:127.0.1.1"), "\(role)")
            }
        }
    }

    @Test("Redis: a changed requirepass saved with restart is the one the real servers take; replicas follow with it",
          .enabled(if: LabSoftware.runnable, LabSoftware.skipReason))
    func redisPasswordChange() async throws {
        try await withLab { _, api in
            #expect(try await api.run(.start, "Redis", onlySelf: true).state == .complete)
            #expect(try await redis(1, password: "steward-lab", "ping") == "PONG")
            let save = try await api.saveConfiguration(SaveConfigurationRequest(restartAffectedComponents: true, components: [
                .init(componentName: "Redis", configurations: [.init(name: "requirepass", value: "n3w-lab-secret")]),
            ]))
            #expect(save.status == 200, "\(save.envelope.errorDescription)")
            let result = try await api.wait(for: save.envelope.id)
            #expect(result.state == .complete, "\(result.resObj?.failEntityList ?? [])")
            for host in 1...3 {
                let old = try await redis(host, password: "steward-lab", "ping")
                #expect(old.contains("WRONGPASS") || old.contains("NOAUTH"), "host \(host) still takes the old password: \(old)")
                #expect(try await redis(host, password: "n3w-lab-secret", "ping") == "PONG", "host \(host)")
            }
            // The replicas authenticate to the primary with the new password (masterauth).
            #expect(try await redis(1, password: "n3w-lab-secret", "set", "after", "change") == "OK")
            let replicated = try await waitFor("the key on a replica after the change", timeout: .seconds(30)) { () -> String? in
                let got = try await redis(3, password: "n3w-lab-secret", "get", "after")
                return got == "change" ? got : nil
            }
            #expect(replicated == "change")
            let views = try await api.instances(service: "Redis")
            #expect(views.allSatisfy { !$0.configStale && $0.configurations["requirepass"] == "******" })
        }
    }

    @Test("nginx answers on every host's address at its rendered port; a port saved for one instance moves it",
          .enabled(if: LabSoftware.runnable, LabSoftware.skipReason))
    func nginxRenderedPort() async throws {
        try await withLab { _, api in
            let started = try await api.run(.start, "Nginx", onlySelf: true)
            #expect(started.state == .complete, "\(started.resObj?.failEntityList ?? [])")
            for n in 1...3 {
                let answer = await httpGet("http://127.0.1.\(n):80/")
                #expect(answer?.status == 200)
                #expect(answer?.body.contains("nginx on host-\(n) (127.0.1.\(n))") == true, "\(answer?.body ?? "nothing")")
            }
            let save = try await api.saveConfiguration(instanceValue("Nginx", "NginxServer", "host-3", "listen_port", "8088",
                                                                     restart: true))
            #expect(save.status == 200)
            #expect(try await api.wait(for: save.envelope.id).state == .complete)
            #expect(await httpGet("http://127.0.1.3:8088/health")?.body == "ok\n")
            #expect(await httpGet("http://127.0.1.3:80/") == nil, "the old port is closed")
            #expect(await httpGet("http://127.0.1.2:80/health")?.status == 200, "the other instances are untouched")
        }
    }
}
