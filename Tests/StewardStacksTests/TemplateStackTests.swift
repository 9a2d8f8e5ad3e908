import Foundation
import StewardAPI
import StewardEngine
import StewardStacks
import Testing

/// Host entries with addresses, and `template` config files: inline, from a
/// file beside the stack, and every way of getting one wrong.
@Suite("StackLoader: templates and host addresses")
struct TemplateStackTests {
    static func stack(hosts: String = #"["a", {"name": "b", "address": "127.0.1.2"}]"#, files: String) -> Data {
        Data("""
        {"name": "t", "version": "1", "cluster": {"id": 1, "name": "t", "hosts": \(hosts)},
         "services": [{"name": "S", "roles": [
           {"name": "Peer", "hosts": ["a", "b"], "process": {"start": ["run"]},
            "configurations": [{"name": "port", "type": "PORT", "default": "3000"}],
            "config_files": \(files)},
           {"name": "Other", "hosts": ["a"], "process": {"start": ["run"]}}]}]}
        """.utf8)
    }

    func problems(_ data: Data, directory: String? = nil) -> [String] {
        let error = #expect(throws: StackError.self) { try StackLoader.load(json: data, directory: directory) }
        return error?.problems ?? []
    }

    @Test("a host is a name or an object with an address; the layout keeps the addresses")
    func hostEntries() throws {
        let stack = try StackLoader.load(json: Self.stack(files: "[]"))
        #expect(stack.cluster.hosts == ["a", "b"])
        #expect(stack.cluster.addresses == ["b": "127.0.1.2"])
        let bad = problems(Self.stack(hosts: #"["a", {"name": "b", "address": "127.0.1.2 x"}]"#, files: "[]"))
        #expect(bad.contains { $0.contains("host b: address '127.0.1.2 x'") }, "\(bad)")
    }

    @Test("an inline template loads with its text; the roles it names are the role's template roles")
    func inlineTemplate() throws {
        let files = #"[{"name": "peers.cfg", "format": "template", "template": "{{#roles.Peer}}{{address}}\n{{/roles.Peer}}{{values.port}}"}, {"name": "c.json", "format": "json"}]"#
        let stack = try StackLoader.load(json: Self.stack(files: files))
        let (_, role) = try #require(stack.role("Peer"))
        #expect(role.configFiles.first == ConfigFileSpec(name: "peers.cfg", format: .template,
                                                         template: "{{#roles.Peer}}{{address}}\n{{/roles.Peer}}{{values.port}}"))
        #expect(role.configFiles.last?.template == nil)
        #expect(role.templateRoles == ["Peer"])
        #expect(role.hasTemplates)
        #expect(stack.role("Other")?.1.hasTemplates == false)
    }

    @Test("template_file is read relative to the stack file's directory")
    func templateFile() throws {
        let dir = NSTemporaryDirectory() + "steward-template-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir + "/templates", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "port={{values.port}}\n".write(toFile: dir + "/templates/p.cfg", atomically: true, encoding: .utf8)
        try Self.stack(files: #"[{"name": "p.cfg", "format": "template", "template_file": "templates/p.cfg"}]"#)
            .write(to: URL(fileURLWithPath: dir + "/stack.json"))
        let stack = try StackLoader.load(nameOrPath: dir + "/stack.json")
        #expect(stack.role("Peer")?.1.configFiles.first?.template == "port={{values.port}}\n")

        let missing = problems(Self.stack(files: #"[{"name": "p.cfg", "format": "template", "template_file": "nope.cfg"}]"#),
                               directory: dir)
        #expect(missing.contains { $0.contains("config file p.cfg: cannot read template_file '\(dir)/nope.cfg'") }, "\(missing)")
        let inline = problems(Self.stack(files: #"[{"name": "p.cfg", "format": "template", "template_file": "p.cfg"}]"#))
        #expect(inline.contains { $0.contains("template_file needs a stack file") }, "\(inline)")
    }

    @Test("a template that does not parse is named with its line; unknown roles, missing or doubled text are named")
    func badTemplates() {
        let unclosed = problems(Self.stack(files: #"[{"name": "z.cfg", "format": "template", "template": "a\n{{#roles.Peer}}\nx={{address}}\n{{/roles.Other}}\n"}]"#))
        #expect(unclosed.contains { $0.contains("role Peer: config file z.cfg: the template does not parse at line 4") }, "\(unclosed)")
        let unknown = problems(Self.stack(files: #"[{"name": "z.cfg", "format": "template", "template": "{{#roles.Nobody}}x{{/roles.Nobody}}"}]"#))
        #expect(unknown.contains { $0.contains("roles.Nobody, which is not a role") }, "\(unknown)")
        let none = problems(Self.stack(files: #"[{"name": "z.cfg", "format": "template"}]"#))
        #expect(none.contains { $0.contains("needs 'template' or 'template_file'") }, "\(none)")
        let both = problems(Self.stack(files: #"[{"name": "z.cfg", "format": "template", "template": "x", "template_file": "y"}]"#))
        #expect(both.contains { $0.contains("not both") }, "\(both)")
        let wrongFormat = problems(Self.stack(files: #"[{"name": "z.json", "format": "json", "template": "x"}]"#))
        #expect(wrongFormat.contains { $0.contains("need the format 'template'") }, "\(wrongFormat)")
        let badFormat = problems(Self.stack(files: #"[{"name": "z", "format": "yaml"}]"#))
        #expect(badFormat.contains { $0.contains("format 'yaml' is not one of json, properties, template") }, "\(badFormat)")
    }
}

@Suite("The bundled lab stack")
struct LabStackTests {
    @Test("three hosts on 127.0.1.1-3; ZooKeeper, Redis and Nginx with their roles where docs/stacks.md says")
    func layout() throws {
        let stack = try StackLoader.load(nameOrPath: "lab")
        #expect(stack.cluster.hosts == ["host-1", "host-2", "host-3"])
        #expect(stack.cluster.addresses == ["host-1": "127.0.1.1", "host-2": "127.0.1.2", "host-3": "127.0.1.3"])
        #expect(stack.services.map(\.name) == ["ZooKeeper", "Redis", "Nginx"])
        #expect(stack.role("QuorumPeer")?.1.hosts == ["host-1", "host-2", "host-3"])
        #expect(stack.role("RedisPrimary")?.1.hosts == ["host-1"])
        #expect(stack.role("RedisReplica")?.1.hosts == ["host-2", "host-3"])
        #expect(stack.role("NginxServer")?.1.hosts == ["host-1", "host-2", "host-3"])
        // Each role sees only the members its templates name.
        #expect(stack.role("QuorumPeer")?.1.templateRoles == ["QuorumPeer"])
        #expect(stack.role("RedisReplica")?.1.templateRoles == ["RedisPrimary"])
        #expect(stack.role("RedisPrimary")?.1.templateRoles == [])
        let secret = stack.service("Redis")?.configurations.first { $0.name == "requirepass" }
        #expect(secret?.type == .password)
        #expect(stack.role("NginxServer")?.1.process.check == .http(portParameter: "listen_port", path: "/health"))
        #expect(stack.role("NginxServer")?.1.configurations.first { $0.name == "listen_port" }?.defaultValue == "80")
    }
}
