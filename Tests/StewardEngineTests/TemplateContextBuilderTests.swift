import StewardAPI
import StewardEngine
import Testing

@Suite("TemplateContextBuilder")
struct TemplateContextBuilderTests {
    /// Two services: an ensemble whose template names itself, and a client role that names nothing.
    static let stack: Stack = {
        let port = [ParameterDefinition(name: "port", type: .port, defaultValue: "2181", description: "")]
        let process = ProcessSpec(start: ["run"], check: .process, startTimeoutSeconds: 5, stopTimeoutSeconds: 5)
        let peers = ConfigFileSpec(name: "zoo.cfg", format: .template,
                                   template: "{{#roles.Peer}}server.{{ordinal}}={{address}}\n{{/roles.Peer}}")
        return Stack(name: "t", version: "1", description: "", services: [
            ServiceDefinition(name: "Ensemble", description: "", version: "1", dependsOn: [],
                              configurations: [ParameterDefinition(name: "tick", type: .int, defaultValue: "2000", description: "")],
                              roles: [RoleDefinition(name: "Peer", description: "", hosts: ["h1", "h2", "h3"], process: process,
                                                     configurations: port, instanceDefaults: [:], configFiles: [peers])]),
            ServiceDefinition(name: "Cache", description: "", version: "1", dependsOn: [], configurations: [],
                              roles: [
                                RoleDefinition(name: "Plain", description: "", hosts: ["h1"], process: process,
                                               configurations: port, instanceDefaults: [:],
                                               configFiles: [ConfigFileSpec(name: "c.json", format: .json)]),
                                RoleDefinition(name: "Lone", description: "", hosts: ["h2"], process: process,
                                               configurations: port, instanceDefaults: [:],
                                               configFiles: [ConfigFileSpec(name: "c", format: .template, template: "{{values.port}}")]),
                              ]),
        ], cluster: ClusterLayout(id: 4, name: "c4", description: "", hosts: ["h1", "h2", "h3"]))
    }()

    static func ref(_ role: String, _ host: String) -> InstanceRef {
        InstanceRef(service: role == "Peer" ? "Ensemble" : "Cache", role: role, host: host)
    }

    /// Peers listed out of order, on purpose: the context sorts them by ordinal.
    static let members = [
        TemplateMember(instance: ref("Peer", "h3"), address: "10.0.0.3", ordinal: 3),
        TemplateMember(instance: ref("Peer", "h1"), address: "10.0.0.1", ordinal: 1),
        TemplateMember(instance: ref("Peer", "h2"), address: "10.0.0.2", ordinal: 2),
        TemplateMember(instance: ref("Plain", "h1"), address: "10.0.0.1", ordinal: 1),
        TemplateMember(instance: ref("Lone", "h2"), address: "10.0.0.2", ordinal: 1),
    ]

    @Test("the instance, its host, the cluster, its values and the named role's members in ordinal order")
    func ensemble() throws {
        var config = Configuration()
        config.set(ConfigValue(scope: .instance(Self.ref("Peer", "h3")), name: "port", value: "2183"))
        let context = try #require(TemplateContextBuilder.build(for: Self.ref("Peer", "h2"), members: Self.members,
                                                                configuration: config, stack: Self.stack))
        #expect(context.instance == .init(service: "Ensemble", role: "Peer", host: "h2", address: "10.0.0.2", ordinal: 2))
        #expect(context.host == .init(name: "h2", address: "10.0.0.2"))
        #expect(context.cluster == .init(id: 4, name: "c4"))
        #expect(context.values == ["port": "2181", "tick": "2000"])
        #expect(Array(context.roles.keys) == ["Peer"])
        let peers = try #require(context.roles["Peer"])
        #expect(peers.map(\.ordinal) == [1, 2, 3])
        #expect(peers.map(\.address) == ["10.0.0.1", "10.0.0.2", "10.0.0.3"])
        #expect(peers.map(\.host) == ["h1", "h2", "h3"])
        // Each member with its own effective values, service level included.
        #expect(peers[2].values == ["port": "2183", "tick": "2000"])
    }

    @Test("a role without templates has no context; one naming no role sees no members")
    func noTemplates() throws {
        #expect(TemplateContextBuilder.build(for: Self.ref("Plain", "h1"), members: Self.members,
                                             configuration: Configuration(), stack: Self.stack) == nil)
        let lone = try #require(TemplateContextBuilder.build(for: Self.ref("Lone", "h2"), members: Self.members,
                                                             configuration: Configuration(), stack: Self.stack))
        #expect(lone.roles.isEmpty)
        // Not among the members (not placed): nothing to render it for.
        #expect(TemplateContextBuilder.build(for: Self.ref("Peer", "h9"), members: Self.members,
                                             configuration: Configuration(), stack: Self.stack) == nil)
    }

    @Test("a new member changes every peer's context and leaves a role that does not name it alone")
    func newMember() throws {
        let more = Self.members + [TemplateMember(instance: Self.ref("Peer", "h4"), address: "10.0.0.4", ordinal: 4)]
        let build = { (ref: InstanceRef, members: [TemplateMember]) in
            TemplateContextBuilder.build(for: ref, members: members, configuration: Configuration(), stack: Self.stack)
        }
        #expect(build(Self.ref("Peer", "h1"), Self.members) != build(Self.ref("Peer", "h1"), more))
        #expect(build(Self.ref("Lone", "h2"), Self.members) == build(Self.ref("Lone", "h2"), more))
    }

    @Test("TemplateScan reads roles.<Name> wherever it appears, once per mention")
    func scan() {
        #expect(TemplateScan.roleNames(in: "{{#roles.A_1}}{{x}}{{/roles.A_1}} {{roles.B-2.0.address}} roles. rolesX") == ["A_1", "A_1", "B-2"])
        #expect(TemplateScan.roleNames(in: "no roles here") == [])
    }
}
