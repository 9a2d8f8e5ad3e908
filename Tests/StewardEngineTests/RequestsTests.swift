import Foundation
import StewardAPI
import StewardEngine
import Testing

@Suite("Requests")
struct RequestsTests {
    let stack = TestStack.stack

    func decode(_ text: String) throws -> SaveConfigurationRequest {
        try JSONDecoder().decode(SaveConfigurationRequest.self, from: Data(text.utf8))
    }

    /// A body in the reference's shape, with the fields Steward does not read.
    static let referenceBody = """
    {
      "id": 1,
      "user_password": "secret",
      "configurations_summary": {
        "restart_affected_components": true,
        "components": [
          {
            "component_name": "Coordinator",
            "component_version": "1.0",
            "classification": "basic",
            "configurations": [
              {"name": "log_level", "value": "DEBUG", "classification": "basic", "item_conf": "one of ...", "type": "ENUM"}
            ],
            "children": [
              {
                "role_name": "CoordinatorServer",
                "classification": "basic",
                "configurations": [{"name": "startup_delay_ms", "value": "100", "default_value": "0"}],
                "children": [
                  {
                    "node": {"host_name": "host-2", "ip_address": "10.0.0.2", "host_id": 2},
                    "configurations": [{"name": "port", "value": "22002", "classification": "advanced"}]
                  }
                ]
              }
            ]
          },
          {
            "component_name": "Storage",
            "configurations": [{"name": "replication", "value": 2}],
            "children": [
              {"role_name": "StorageNode", "configurations": [], "children": [
                {"node": {"host_name": "host-3", "ip_address": "10.0.0.3"}, "configurations": [{"name": "port", "value": 23003}]}
              ]}
            ]
          }
        ]
      }
    }
    """

    @Test func referenceBodyFlattensToScopedValues() throws {
        let request = try decode(Self.referenceBody)
        #expect(request.id == 1)
        #expect(request.configurationsSummary.restartAffectedComponents == true)
        let changes = try request.changes(in: stack, topology: stack.layout)
        #expect(changes == [
            ConfigValue(scope: .service("Coordinator"), name: "log_level", value: "DEBUG"),
            ConfigValue(scope: .role(service: "Coordinator", role: "CoordinatorServer"), name: "startup_delay_ms", value: "100"),
            ConfigValue(scope: .instance(TestStack.ref("CoordinatorServer", "host-2")), name: "port", value: "22002"),
            ConfigValue(scope: .service("Storage"), name: "replication", value: "2"),
            ConfigValue(scope: .instance(TestStack.ref("StorageNode", "host-3")), name: "port", value: "23003"),
        ])
        // What the request carries passes validation as is.
        #expect(try Configuration.validate(changes, in: stack, topology: stack.layout) == changes)
    }

    @Test func valuesAsNumbersAndBooleans() throws {
        let body = """
        {"configurations_summary": {"components": [{"component_name": "Gateway", "configurations": [
          {"name": "max_connections", "value": 512},
          {"name": "a", "value": true},
          {"name": "b", "value": false},
          {"name": "c", "value": -7},
          {"name": "d", "value": "text"}
        ]}]}}
        """
        let changes = try decode(body).changes(in: stack, topology: stack.layout)
        #expect(changes.map(\.value) == ["512", "true", "false", "-7", "text"])
        #expect(changes.allSatisfy { $0.scope == .service("Gateway") })
    }

    @Test func nonScalarValuesAreRejected() {
        for value in ["1.5", "[1]", #"{"x": 1}"#] {
            let body = #"{"configurations_summary": {"components": [{"component_name": "Gateway", "configurations": [{"name": "max_connections", "value": \#(value)}]}]}}"#
            #expect(throws: DecodingError.self, "value \(value) accepted") { try decode(body) }
        }
    }

    @Test func missingOrNullValueIsAnInvalidParameter() throws {
        for item in [#"{"name": "max_connections"}"#, #"{"name": "max_connections", "value": null}"#] {
            let body = #"{"configurations_summary": {"components": [{"component_name": "Gateway", "configurations": [\#(item)]}]}}"#
            let request = try decode(body)
            let error = #expect(throws: StewardError.self) { try request.changes(in: stack, topology: stack.layout) }
            #expect(error?.code == .invalidParameter)
            #expect(error?.message.contains("max_connections") == true)
        }
    }

    @Test func missingNameIsAnInvalidParameter() throws {
        let request = try decode(#"{"configurations_summary": {"components": [{"component_name": "Gateway", "configurations": [{"value": "1"}]}]}}"#)
        let error = #expect(throws: StewardError.self) { try request.changes(in: stack, topology: stack.layout) }
        #expect(error?.code == .invalidParameter)
    }

    @Test func unknownComponent() throws {
        let request = SaveConfigurationRequest(restartAffectedComponents: false, components: [
            .init(componentName: "Nope", configurations: [.init(name: "x", value: "1")]),
        ])
        let error = #expect(throws: StewardError.self) { try request.changes(in: stack, topology: stack.layout) }
        #expect(error?.code == .serviceNotFound)
        #expect(error?.message.contains("Nope") == true)
        let unnamed = try decode(#"{"configurations_summary": {"components": [{"configurations": []}]}}"#)
        #expect(throws: StewardError(.serviceNotFound, "Service '' does not exist in the cluster.")) { try unnamed.changes(in: stack, topology: stack.layout) }
    }

    @Test func unknownRole() {
        let request = SaveConfigurationRequest(restartAffectedComponents: false, components: [
            .init(componentName: "Storage", children: [.init(roleName: "GatewayServer")]),
        ])
        let error = #expect(throws: StewardError.self) { try request.changes(in: stack, topology: stack.layout) }
        #expect(error?.code == .roleNotFound)
        #expect(error?.message.contains("GatewayServer") == true)
    }

    @Test func unknownHost() {
        let request = SaveConfigurationRequest(restartAffectedComponents: false, components: [
            .init(componentName: "Storage", children: [
                .init(roleName: "StorageNode", children: [.init(hostName: "host-9", configurations: [.init(name: "port", value: "23000")])]),
            ]),
        ])
        let error = #expect(throws: StewardError.self) { try request.changes(in: stack, topology: stack.layout) }
        #expect(error?.code == .hostNotFound)
        #expect(error?.message.contains("host-9") == true)
    }

    @Test func hostWithoutTheRoleIsNoInstance() {
        let request = SaveConfigurationRequest(restartAffectedComponents: false, components: [
            .init(componentName: "Storage", children: [
                .init(roleName: "StorageMaster", children: [.init(hostName: "host-2", configurations: [.init(name: "port", value: "23000")])]),
            ]),
        ])
        let error = #expect(throws: StewardError.self) { try request.changes(in: stack, topology: stack.layout) }
        #expect(error?.code == .instanceNotFound)
    }

    @Test func instanceWithoutHostName() throws {
        let request = try decode(#"""
            {"configurations_summary": {"components": [{"component_name": "Storage", "children": [
              {"role_name": "StorageNode", "children": [{"node": {"ip_address": "10.0.0.1"}, "configurations": []}]}]}]}}
            """#)
        let error = #expect(throws: StewardError.self) { try request.changes(in: stack, topology: stack.layout) }
        #expect(error?.code == .invalidParameter)
    }

    @Test func emptySummaryHasNoChanges() throws {
        #expect(try decode(#"{"configurations_summary": {}}"#).changes(in: stack, topology: stack.layout).isEmpty)
        #expect(throws: DecodingError.self) { try decode(#"{"id": 1}"#) }
    }

    @Test func serviceActionRequest() throws {
        let full = try JSONDecoder().decode(ServiceActionRequest.self,
                                            from: Data(#"{"user_password": "pw", "only_self": true}"#.utf8))
        #expect(full.onlySelf == true)
        #expect(full.userPassword == "pw")
        let empty = try JSONDecoder().decode(ServiceActionRequest.self, from: Data("{}".utf8))
        #expect(empty.onlySelf == nil)
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(ServiceActionRequest(onlySelf: false))) as? [String: Any]
        #expect(encoded?["only_self"] as? Bool == false)
    }

    @Test func builtRequestEncodesTheReferenceKeys() throws {
        let request = SaveConfigurationRequest(restartAffectedComponents: true, components: [
            .init(componentName: "Storage", configurations: [.init(name: "replication", value: "2")],
                  children: [.init(roleName: "StorageNode", children: [.init(hostName: "host-1", configurations: [.init(name: "port", value: "23001")])])]),
        ])
        let data = try JSONEncoder().encode(request)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let summary = try #require(object["configurations_summary"] as? [String: Any])
        #expect(summary["restart_affected_components"] as? Bool == true)
        let component = try #require((summary["components"] as? [[String: Any]])?.first)
        #expect(component["component_name"] as? String == "Storage")
        let role = try #require((component["children"] as? [[String: Any]])?.first)
        #expect(role["role_name"] as? String == "StorageNode")
        let instance = try #require((role["children"] as? [[String: Any]])?.first)
        #expect((instance["node"] as? [String: Any])?["host_name"] as? String == "host-1")
        // And it decodes back to the same changes.
        let decoded = try JSONDecoder().decode(SaveConfigurationRequest.self, from: data)
        #expect(try decoded.changes(in: stack, topology: stack.layout) == request.changes(in: stack, topology: stack.layout))
    }
}
