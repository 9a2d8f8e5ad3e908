import Foundation
import StewardAPI
import StewardEngine
import StewardStacks
import Testing

/// Builds stack files as text, from small parts.
enum StackText {
    static func param(_ name: String, _ type: String, _ value: String, extra: String = "") -> String {
        #"{"name": "\#(name)", "type": "\#(type)", "default": "\#(value)"\#(extra)}"#
    }

    static func role(_ name: String, hosts: [String] = ["a"], params: [String]? = nil,
                     check: String = #"{"type": "tcp", "port_parameter": "port"}"#, instances: String = "{}") -> String {
        let params = params ?? [param("port", "PORT", "3000")]
        return """
        {"name": "\(name)", "hosts": [\(hosts.map { "\"\($0)\"" }.joined(separator: ", "))],
         "process": {"start": ["run"], "check": \(check)},
         "configurations": [\(params.joined(separator: ", "))],
         "instances": \(instances)}
        """
    }

    static func service(_ name: String, dependsOn: [String] = [], params: [String] = [], roles: [String]) -> String {
        """
        {"name": "\(name)", "depends_on": [\(dependsOn.map { "\"\($0)\"" }.joined(separator: ", "))],
         "configurations": [\(params.joined(separator: ", "))],
         "roles": [\(roles.joined(separator: ", "))]}
        """
    }

    static func stack(_ services: [String], hosts: [String] = ["a", "b"]) -> Data {
        Data("""
        {"name": "t", "version": "2.0",
         "cluster": {"id": 7, "name": "t", "hosts": [\(hosts.map { "\"\($0)\"" }.joined(separator: ", "))]},
         "services": [\(services.joined(separator: ", "))]}
        """.utf8)
    }

    /// A valid two-service stack: Front depends on Back.
    static func valid(front: String? = nil, back: String? = nil) -> Data {
        stack([
            back ?? service("Back", params: [param("mode", "ENUM", "fast", extra: #", "allowed": ["fast", "safe"]"#)],
                            roles: [role("BackServer", hosts: ["a", "b"], instances: #"{"b": {"port": "3001"}}"#)]),
            front ?? service("Front", dependsOn: ["Back"], roles: [role("FrontServer", hosts: ["b"])]),
        ])
    }
}

@Suite("StackLoader")
struct StackLoaderTests {
    /// The problems of a stack that must not load.
    func problems(_ data: Data) -> [String] {
        let error = #expect(throws: StackError.self) { try StackLoader.load(json: data) }
        return error?.problems ?? []
    }

    func expectRejected(_ data: Data, naming fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let found = problems(data)
        #expect(found.contains { $0.contains(fragment) }, "no problem names '\(fragment)': \(found)", sourceLocation: sourceLocation)
    }

    @Test func theValidBaseLoads() throws {
        let stack = try StackLoader.load(json: StackText.valid())
        #expect(stack.name == "t")
        #expect(stack.cluster.id == 7)
        #expect(stack.cluster.description == "")
        #expect(stack.services.map(\.name) == ["Back", "Front"])
        #expect(stack.service("Front")?.dependsOn == ["Back"])
        // The service version defaults to the stack's.
        #expect(stack.service("Back")?.version == "2.0")
        let (_, back) = try #require(stack.role("BackServer"))
        #expect(back.process.check == .tcp(portParameter: "port"))
        #expect(back.process.startTimeoutSeconds == 60)
        #expect(back.process.stopTimeoutSeconds == 10)
        #expect(back.instanceDefaults == ["b": ["port": "3001"]])
        #expect(stack.service("Back")?.configurations.first?.allowed == ["fast", "safe"])
    }

    @Test func portShiftOnACustomStack() throws {
        let stack = try StackLoader.load(json: StackText.valid(), portShift: -5)
        let (_, back) = try #require(stack.role("BackServer"))
        #expect(back.configurations.first { $0.name == "port" }?.defaultValue == "2995")
        #expect(back.instanceDefaults == ["b": ["port": "2996"]])
        #expect(stack.service("Back")?.configurations.first?.defaultValue == "fast")
    }

    @Test func missingCheckMeansProcessCheck() throws {
        let role = #"{"name": "R", "hosts": ["a"], "process": {"start": ["run"]}}"#
        let stack = try StackLoader.load(json: StackText.stack([StackText.service("S", roles: [role])]))
        #expect(stack.role("R")?.1.process.check == .process)
        #expect(stack.role("R")?.1.configurations.isEmpty == true)
    }

    @Test func loadsAFileByPath() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("steward-stack-\(UUID().uuidString).json")
        try StackText.valid().write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let stack = try StackLoader.load(nameOrPath: url.path)
        #expect(stack.services.map(\.name) == ["Back", "Front"])
    }

    @Test func roleOrderDefaultsToSequentialAndReadsParallel() throws {
        #expect(try StackLoader.load(json: StackText.valid()).service("Back")?.roleOrder == .sequential)
        let text = String(decoding: StackText.stack([StackText.service("S", roles: [StackText.role("R1"), StackText.role("R2")])]), as: UTF8.self)
        let parallel = Data(text.replacingOccurrences(of: #"{"name": "S","#, with: #"{"name": "S", "role_order": "parallel","#).utf8)
        #expect(try StackLoader.load(json: parallel).service("S")?.roleOrder == .parallel)
        let wrong = Data(text.replacingOccurrences(of: #"{"name": "S","#, with: #"{"name": "S", "role_order": "random","#).utf8)
        expectRejected(wrong, naming: "role_order 'random' is not sequential or parallel")
    }

    // MARK: rejected stacks

    @Test func dependencyCycle() {
        let data = StackText.stack([
            StackText.service("A", dependsOn: ["C"], roles: [StackText.role("RA")]),
            StackText.service("B", dependsOn: ["A"], roles: [StackText.role("RB")]),
            StackText.service("C", dependsOn: ["B"], roles: [StackText.role("RC")]),
        ])
        let found = problems(data)
        #expect(found.contains { $0.hasPrefix("dependency cycle: ") && $0.contains("A") && $0.contains("B") && $0.contains("C") }, "\(found)")
    }

    @Test func selfDependency() {
        expectRejected(StackText.stack([StackText.service("A", dependsOn: ["A"], roles: [StackText.role("RA")])]),
                       naming: "dependency cycle: A -> A")
    }

    @Test func unknownDependency() {
        expectRejected(StackText.valid(front: StackText.service("Front", dependsOn: ["Nope"], roles: [StackText.role("FrontServer")])),
                       naming: "depends on unknown service 'Nope'")
    }

    @Test func roleOnUnknownHost() {
        expectRejected(StackText.valid(front: StackText.service("Front", roles: [StackText.role("FrontServer", hosts: ["b", "zz"])])),
                       naming: "placed on unknown host 'zz'")
    }

    @Test func duplicateServiceName() {
        let data = StackText.stack([
            StackText.service("A", roles: [StackText.role("R1")]),
            StackText.service("A", roles: [StackText.role("R2")]),
        ])
        expectRejected(data, naming: "service 'A' is defined twice")
    }

    @Test func duplicateRoleName() {
        let data = StackText.stack([
            StackText.service("A", roles: [StackText.role("R1")]),
            StackText.service("B", roles: [StackText.role("R1")]),
        ])
        expectRejected(data, naming: "role 'R1' is defined twice")
    }

    @Test func invalidDefaultValues() {
        for param in [StackText.param("port", "PORT", "80"), StackText.param("port", "INT", "many"),
                      StackText.param("port", "PORT", "70000")] {
            let data = StackText.valid(front: StackText.service("Front", roles: [StackText.role("FrontServer", params: [param])]))
            expectRejected(data, naming: "FrontServer default: port must be")
        }
        let badEnum = StackText.param("mode", "ENUM", "slow", extra: #", "allowed": ["fast"]"#)
        expectRejected(StackText.valid(back: StackText.service("Back", params: [badEnum], roles: [StackText.role("BackServer")])),
                       naming: "Back default: mode must be one of fast")
    }

    @Test func invalidInstanceValue() {
        let data = StackText.valid(front: StackText.service("Front", roles: [
            StackText.role("FrontServer", hosts: ["b"], instances: #"{"b": {"port": "12"}}"#),
        ]))
        expectRejected(data, naming: "FrontServer@b: port must be")
        let unknown = StackText.valid(front: StackText.service("Front", roles: [
            StackText.role("FrontServer", hosts: ["b"], instances: #"{"b": {"colour": "red"}}"#),
        ]))
        expectRejected(unknown, naming: "unknown parameter 'colour'")
        let elsewhere = StackText.valid(front: StackText.service("Front", roles: [
            StackText.role("FrontServer", hosts: ["b"], instances: #"{"a": {"port": "3000"}}"#),
        ]))
        expectRejected(elsewhere, naming: "host 'a' it is not placed on")
    }

    @Test func unknownParameterType() {
        let data = StackText.valid(front: StackText.service("Front", params: [StackText.param("ratio", "FLOAT", "0.5")],
                                                            roles: [StackText.role("FrontServer")]))
        expectRejected(data, naming: "Front.ratio: unknown type 'FLOAT'")
    }

    @Test func enumWithoutAllowed() {
        for extra in ["", #", "allowed": []"#] {
            let data = StackText.valid(front: StackText.service("Front", params: [StackText.param("mode", "ENUM", "x", extra: extra)],
                                                                roles: [StackText.role("FrontServer")]))
            expectRejected(data, naming: "Front.mode: ENUM needs 'allowed'")
        }
    }

    @Test func badCheckType() {
        let data = StackText.valid(front: StackText.service("Front", roles: [StackText.role("FrontServer", check: #"{"type": "ping"}"#)]))
        expectRejected(data, naming: "check type 'ping' is not http, tcp, command or process")
    }

    @Test func checkOnAMissingPortParameter() {
        let check = #"{"type": "http", "port_parameter": "admin_port", "path": "/health"}"#
        let data = StackText.valid(front: StackText.service("Front", roles: [StackText.role("FrontServer", check: check)]))
        expectRejected(data, naming: "check port parameter 'admin_port'")
        let relative = StackText.valid(front: StackText.service("Front", roles: [
            StackText.role("FrontServer", check: #"{"type": "http", "path": "health"}"#),
        ]))
        expectRejected(relative, naming: "check path must start with /")
    }

    @Test func malformedJSON() {
        expectRejected(Data("{\"name\": \"t\", ".utf8), naming: "not a stack file")
        expectRejected(Data("[]".utf8), naming: "not a stack file")
        // Well-formed JSON that lacks required fields is not a stack file either.
        expectRejected(Data(#"{"name": "t", "version": "1", "services": []}"#.utf8), naming: "not a stack file")
    }

    @Test func otherStructuralProblems() {
        expectRejected(StackText.stack([StackText.service("A", roles: [StackText.role("R")])], hosts: []),
                       naming: "the cluster has no hosts")
        expectRejected(StackText.stack([StackText.service("A", roles: [StackText.role("R")])], hosts: ["a", "a"]),
                       naming: "host names repeat")
        expectRejected(StackText.stack([StackText.service("A", roles: [])]), naming: "service A has no roles")
        expectRejected(StackText.stack([StackText.service("A b", roles: [StackText.role("R")])]), naming: "is not a plain name")
    }

    /// Names become directories and URL segments: `.`, `..` and `/` would escape them.
    @Test(arguments: [".", "..", "a/b", "../etc", "/"])
    func namesThatAreNotPathSegmentsAreRefused(name: String) {
        expectRejected(StackText.stack([StackText.service(name, roles: [StackText.role("R")])]),
                       naming: "service name '\(name)' is not a plain name")
        expectRejected(StackText.stack([StackText.service("A", roles: [StackText.role(name)])]),
                       naming: "role name '\(name)' is not a plain name")
        expectRejected(StackText.stack([StackText.service("A", roles: [StackText.role("R", hosts: [name])])], hosts: [name]),
                       naming: "host name '\(name)' is not a plain name")
    }

    @Test func aDeclaredEnvironmentReachesTheProcessSpecAndBadNamesAreRefused() throws {
        let role = #"{"name": "R", "hosts": ["a"], "process": {"start": ["run"], "environment": {"JAVA_HOME": "/opt/jdk"}}}"#
        let stack = try StackLoader.load(json: StackText.stack([StackText.service("A", roles: [role])]))
        #expect(stack.role("R")?.1.process.environment == ["JAVA_HOME": "/opt/jdk"])
        let bad = #"{"name": "R", "hosts": ["a"], "process": {"start": ["run"], "environment": {"1X=Y": "z"}}}"#
        expectRejected(StackText.stack([StackText.service("A", roles: [bad])]), naming: "environment variable name '1X=Y'")
    }

    @Test func everyProblemIsReportedAtOnce() {
        let data = StackText.stack([
            StackText.service("A", dependsOn: ["Nope"], roles: [StackText.role("R", hosts: ["zz"])]),
            StackText.service("A", roles: [StackText.role("R")]),
        ])
        let error = #expect(throws: StackError.self) { try StackLoader.load(json: data) }
        let found = error?.problems ?? []
        #expect(found.contains { $0.contains("unknown host 'zz'") })
        #expect(found.contains { $0.contains("service 'A' is defined twice") })
        #expect(found.contains { $0.contains("role 'R' is defined twice") })
        #expect(found.contains { $0.contains("unknown service 'Nope'") })
        #expect(error?.description == "invalid stack: " + found.joined(separator: "; "))
    }
}
