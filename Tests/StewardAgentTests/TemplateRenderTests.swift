import Foundation
import StewardAPI
import StewardSystem
import Testing
@testable import StewardAgent

@Suite struct TemplateRenderTests {
    static let context = TemplateContext(
        instance: .init(service: "ZooKeeper", role: "QuorumPeer", host: "host-2", address: "127.0.1.2", ordinal: 2),
        host: .init(name: "host-2", address: "127.0.1.2"), cluster: .init(id: 1, name: "lab"),
        values: ["client_port": "2181", "secret": #"a&b<c>"d"#, "flag": "true", "off": "false"],
        roles: ["QuorumPeer": [1, 2, 3].map {
            .init(host: "host-\($0)", address: "127.0.1.\($0)", ordinal: $0, values: ["quorum_port": "2888"])
        }])
    static let paths = ["instance_dir": "/data/QuorumPeer", "conf_dir": "/data/QuorumPeer/conf"]

    func render(_ text: String) throws -> String {
        try ConfigRenderer.template(text, context: Self.context, values: [:], paths: Self.paths)
    }

    @Test("an ensemble's server lines, its myid and its paths, as ZooKeeper reads them")
    func ensemble() throws {
        let text = """
            dataDir={{paths.conf_dir}}
            clientPortAddress={{host.address}}:{{values.client_port}}
            {{#roles.QuorumPeer}}
            server.{{ordinal}}={{address}}:{{values.quorum_port}}:3888
            {{/roles.QuorumPeer}}
            # {{cluster.name}}/{{cluster.id}} {{instance.role}}@{{instance.host}} in {{paths.instance_dir}}

            """
        #expect(try render(text) == """
            dataDir=/data/QuorumPeer/conf
            clientPortAddress=127.0.1.2:2181
            server.1=127.0.1.1:2888:3888
            server.2=127.0.1.2:2888:3888
            server.3=127.0.1.3:2888:3888
            # lab/1 QuorumPeer@host-2 in /data/QuorumPeer

            """)
        #expect(try render("{{instance.ordinal}}\n") == "2\n")
    }

    @Test("config files are not HTML: values come out as written; true and false are conditions")
    func plainText() throws {
        #expect(try render(#"requirepass "{{values.secret}}""#) == #"requirepass "a&b<c>"d""#)
        #expect(try render("{{#values.flag}}yes{{/values.flag}}{{^values.off}},no{{/values.off}}") == "yes,no")
        #expect(try render("{{values.flag}} {{values.off}} [{{values.missing}}]") == "true false []")
    }

    @Test("without a context (an older manager) a template still sees the values and paths")
    func withoutContext() throws {
        let out = try ConfigRenderer.template("{{values.port}} {{paths.conf_dir}} [{{host.address}}]", context: nil,
                                              values: ["port": "80"], paths: Self.paths)
        #expect(out == "80 /data/QuorumPeer/conf []")
    }

    @Test("a template file is written whole and 0600, like every config file")
    func written() throws {
        let dir = NSTemporaryDirectory() + "steward-render-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = ConfigFileSpec(name: "myid", format: .template, template: "{{instance.ordinal}}\n")
        try ConfigRenderer.write(file, values: [:], context: Self.context, paths: Self.paths, to: dir + "/myid")
        #expect(try String(contentsOfFile: dir + "/myid", encoding: .utf8) == "2\n")
        #expect(SecretFile.mode(of: dir + "/myid") == 0o600)
    }

    @Test("PRETTY_NAME of /etc/os-release, quoted or not; absent gives nil")
    func osRelease() {
        #expect(HostInfo.prettyName("NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n")
                == "Debian GNU/Linux 12 (bookworm)")
        #expect(HostInfo.prettyName("PRETTY_NAME=Alpine\n") == "Alpine")
        #expect(HostInfo.prettyName("PRETTY_NAME='Arch Linux'") == "Arch Linux")
        #expect(HostInfo.prettyName("NAME=x\n") == nil)
        #expect(HostInfo.prettyName("PRETTY_NAME=\"\"") == nil)
    }
}
