import Foundation
import StewardAPI
import StewardEngine
@testable import StewardManager
import StewardOpenAPI
import Testing

/// The rules the document states are the server's own: where the server
/// checks a value with a function, the document's schema and that function
/// must agree on every probe, so that neither can change alone.
@Suite("OpenAPI rules")
struct OpenAPIRulesTests {
    let validator: SchemaValidator

    init() throws { validator = SchemaValidator(document: try JSONValue(yaml: OpenAPISpec.yaml)) }

    func documentAccepts(_ value: String, _ schema: JSONValue) -> Bool {
        validator.validate(.string(value), against: schema).isEmpty
    }

    func ref(_ name: String) -> JSONValue { .object(["$ref": .string("#/components/schemas/\(name)")]) }

    /// Printable ASCII strings of every length around the bounds, most drawn
    /// from one or two character classes so that both answers are common.
    /// A fixed generator: the same probes every run.
    static func asciiProbes(count: Int) -> [String] {
        let classes = ["abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789",
                       " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"].map(Array.init)
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        return (0..<count).map { _ in
            let length = [next(12), 126 + next(5), next(140)][next(3)]
            let picked = (0..<(1 + next(2))).map { _ in classes[next(4)] }.flatMap { $0 }
            return String((0..<length).map { _ in picked[next(picked.count)] })
        }
    }

    @Test func thePasswordRuleIsTheServers() {
        let schema = ref("Password")
        // A user name no ASCII password can contain: the rule across fields is the description's.
        let user = "\u{e9}"
        let fixed = ["", "Abcdef1", "Abcdefg1", "abcdefgh", "ABCDEFGH", "12345678", "!!!!!!!!", "        ",
                     "abcdefg1", "ABCDEFG!", "1234567 ", "aaaaaaaA", "Contract-pass-1",
                     String(repeating: "a1", count: 64), String(repeating: "a1", count: 64) + "x"]
        var disagreements: [String] = []
        for password in fixed + Self.asciiProbes(count: 3000) {
            let server = PasswordChange.policyProblem(user: user, old: "", new: password) == nil
            if server != documentAccepts(password, schema) {
                disagreements.append("\(password.debugDescription): server \(server ? "accepts" : "refuses")")
            }
        }
        #expect(disagreements.isEmpty, "the document's Password and the server's policy differ: \(disagreements.prefix(5))")
        #expect(documentAccepts("Contract-pass-1", schema))
    }

    @Test func theUserNameRuleIsTheServers() throws {
        let schema = try #require(validator.resolve("#/components/schemas/CreateUserRequest/properties/user_name"))
        let fixed = ["", "a", "A.b_c-9", "a b", "a/b", "\u{e4}", "a\n", String(repeating: "x", count: 64),
                     String(repeating: "x", count: 65)]
        for name in fixed + Self.asciiProbes(count: 2000) {
            #expect(UserController.isUserName(name) == documentAccepts(name, schema), "user_name \(name.debugDescription)")
        }
    }

    @Test func theMetricNamesRuleIsTheServers() throws {
        let parameters = try #require(validator.resolve("#/paths/~1web~1v1~1monitor~1metrics_info/get/parameters")?.array)
        let schema = try #require(parameters.first { $0["name"] == .string("metric_names") }?["schema"])
        let names = HostSample.names.keys.sorted()
        for name in names { #expect(documentAccepts(name, schema), "\(name)") }
        #expect(documentAccepts(names.joined(separator: ","), schema), "all \(names.count) at once")
        #expect(!documentAccepts((names + ["hm_cpu_used"]).joined(separator: ","), schema), "more than 10")
        for refused in ["", "hm_cpu", "hm_cpu_used,nope", "HM_CPU_USED"] {
            #expect(!documentAccepts(refused, schema), "\(refused.debugDescription)")
        }
    }
}
