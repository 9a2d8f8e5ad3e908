import Foundation
import StewardClient
import StewardAPI
import Testing

extension IntegrationTests {
    @Test("a new user must change its initial password; the change follows the reference and the policy")
    func passwordChange() async throws {
        try await withCluster { cluster, api in
            let created = try await api.post("/web/v1/access/users", CreateUserRequest(userName: "nina", role: "operator"),
                                             as: CreatedUser.self)
            let initial = try #require(created.envelope.resObj?.initialPassword)
            #expect(created.envelope.resObj?.user.modifyPwd == true)
            let nina = StewardClient(baseURL: api.baseURL, user: "nina", password: initial)
            let check = try await nina.raw(.GET, "/web/v1/access/login_check")
            let fields = try #require(try JSONSerialization.jsonObject(with: check.body) as? [String: Any])
            #expect(fields["modify_pwd"] as? Bool == true)
            let gated = try await nina.get("/web/v1/clusters", as: NoResult.self)
            #expect(gated.status == 403 && gated.envelope.errorCode == ErrorCode.passwordChangeRequired.rawValue,
                    "nothing but the change until it is made")

            func change(_ old: String, _ new: String, _ confirm: String) async throws -> (Int, [String: Any]) {
                let q = "old_password=\(old)&new_password=\(new)&confirm_password=\(confirm)"
                let r = try await nina.raw(.POST, "/web/v1/access/modify_self_password?" + q, body: Data("{}".utf8))
                return (r.status, (try? JSONSerialization.jsonObject(with: r.body) as? [String: Any]) ?? [:])
            }
            #expect(try await change(initial, "short", "short").0 == 400)
            #expect(try await change(initial, "Longer-Pass-1", "Longer-Pass-2").0 == 400)
            #expect(try await change("wrong-old", "Longer-Pass-1", "Longer-Pass-1").0 == 400)
            let (status, ok) = try await change(initial, "Longer-Pass-1", "Longer-Pass-1")
            #expect(status == 200)
            #expect(ok["int_result_code"] as? Int == 0)
            #expect(ok["result_desc"] as? String != nil)
            #expect(try await nina.raw(.GET, "/web/v1/clusters").status == 401, "the old password no longer works")
            let renewed = StewardClient(baseURL: api.baseURL, user: "nina", password: "Longer-Pass-1")
            let after = try JSONSerialization.jsonObject(with: try await renewed.raw(.GET, "/web/v1/access/login_check").body) as? [String: Any]
            #expect(after?["modify_pwd"] as? Bool == false)
            // Listing users never shows a password or its hash.
            let listing = String(decoding: try await api.raw(.GET, "/web/v1/access/users").body, as: UTF8.self)
            #expect(!listing.contains("pbkdf2") && !listing.contains("Longer-Pass-1") && !listing.contains(initial))
        }
    }

    @Test("password parameters are masked in every response and never logged")
    func passwordsAreMasked() async throws {
        try await withCluster(stackJSON: Self.secretStack) { cluster, api in
            let secret = "Hunter2-Secret-Value"
            let save = try await api.saveConfiguration(SaveConfigurationRequest(restartAffectedComponents: false, components: [
                .init(componentName: "Vault", children: [.init(roleName: "VaultServer", configurations: [.init(name: "db_password", value: secret)])]),
            ]))
            #expect(save.status == 200)
            #expect(try await api.run(.start, "Vault", onlySelf: true).state == .complete)
            for path in ["/web/v1/cluster/1/instances", "/web/v1/cluster/1/services/Vault/configurations",
                         "/web/v1/common/command/\(save.envelope.id)/progress", "/web/v1/common/command/2/progress", "/web/v1/audit"] {
                let body = String(decoding: try await api.raw(.GET, path).body, as: UTF8.self)
                #expect(!body.contains(secret), "\(path) shows the secret")
                #expect(!body.contains("default-secret-1"), "\(path) shows the default secret")
            }
            let instances = try await api.instances(service: "Vault")
            #expect(instances.first?.configurations["db_password"] == "******")
            let root = cluster.root
            for log in ["manager.log", "host-1.log", "host-2.log", "host-3.log"] {
                let text = (try? String(contentsOfFile: root + "/" + log, encoding: .utf8)) ?? ""
                #expect(!text.contains(secret), "\(log) has the secret")
            }
            // The process itself gets it: that is what the parameter is for.
            let rendered = try String(contentsOfFile: root + "/host-1/instances/VaultServer/conf/role.json", encoding: .utf8)
            #expect(rendered.contains(secret))
        }
    }

    static let secretStack = #"""
    {"name": "secret", "version": "1", "cluster": {"id": 1, "name": "secret", "hosts": ["host-1", "host-2", "host-3"]},
     "services": [{"name": "Vault", "roles": [{"name": "VaultServer", "hosts": ["host-1"],
       "process": {"start": ["{steward}", "role", "--config", "{conf_dir}/role.json"],
                   "check": {"type": "http", "port_parameter": "port", "path": "/health"}},
       "configurations": [{"name": "port", "type": "PORT", "default": "21600"},
                          {"name": "db_password", "type": "PASSWORD", "default": "default-secret-1"}],
       "config_files": [{"name": "role.json", "format": "json"}]}]}]}
    """#

    @Test("every change and every login is audited, with user, source, action, target, result and command id")
    func auditLog() async throws {
        try await withCluster { cluster, api in
            _ = try await api.post("/web/v1/access/users", CreateUserRequest(userName: "vic", role: "viewer", password: "S3cure-pass-V1"))
            let initial = StewardClient(baseURL: api.baseURL, user: "vic", password: "S3cure-pass-V1")
            let q = "old_password=S3cure-pass-V1&new_password=S3cure-pass-V2&confirm_password=S3cure-pass-V2"
            #expect(try await initial.raw(.POST, "/web/v1/access/modify_self_password?" + q, body: Data("{}".utf8)).status == 200)
            let vic = StewardClient(baseURL: api.baseURL, user: "vic", password: "S3cure-pass-V2")
            #expect(try await vic.service(.start, "Coordinator", onlySelf: true).status == 403)
            #expect(try await StewardClient(baseURL: api.baseURL, user: "vic", password: "bad").raw(.GET, "/web/v1/clusters").status == 401)
            let started = try await api.service(.start, "Coordinator", onlySelf: true)
            _ = try await api.wait(for: started.envelope.id)
            let saved = try await api.saveConfiguration(instanceValue("Coordinator", "CoordinatorServer", "host-1", "port", "22999", restart: false))
            _ = try await api.call(.PUT, "/web/v1/access/users/vic", body: Data(#"{"role":"operator"}"#.utf8))
            _ = try await api.call(.DELETE, "/web/v1/access/users/vic")
            let badAgent = StewardClient(baseURL: api.baseURL, user: nil, password: nil)
            _ = try await badAgent.raw(.POST, "/agent/v1/register", body: Data("{}".utf8), headers: [("Authorization", "Bearer wrong")])

            let reply = try await api.raw(.GET, "/web/v1/audit?limit=200")
            #expect(reply.status == 200)
            let root = try #require(try JSONSerialization.jsonObject(with: reply.body) as? [String: Any])
            let entries = try #require((root["res_obj"] as? [String: Any])?["entries"] as? [[String: Any]])
            func find(_ action: String, _ user: String, _ result: String) -> [String: Any]? {
                entries.first { $0["action"] as? String == action && $0["user"] as? String == user && $0["result"] as? String == result }
            }
            #expect(find("USER_CREATE", "admin", "SUCCESS") != nil)
            let refused = try #require(find("SERVICE_START", "vic", "FAILURE"))
            #expect(refused["http_status"] as? Int == 403)
            #expect(find("LOGIN", "vic", "FAILURE") != nil)
            #expect(find("LOGIN", "vic", "SUCCESS") != nil)
            #expect(find("LOGIN", "admin", "SUCCESS") != nil)
            let start = try #require(find("SERVICE_START", "admin", "SUCCESS"))
            #expect((start["command_id"] as? NSNumber)?.int64Value == started.envelope.id)
            #expect(start["source"] as? String == "127.0.0.1")
            #expect((start["target"] as? String)?.contains("/service/Coordinator/start") == true)
            #expect((find("CONFIG_SAVE", "admin", "SUCCESS")?["command_id"] as? NSNumber)?.int64Value == saved.envelope.id)
            #expect(find("USER_UPDATE", "admin", "SUCCESS") != nil)
            #expect(find("USER_DELETE", "admin", "SUCCESS") != nil)
            #expect(find("AGENT_JOIN", "", "FAILURE") != nil)
            // Filters.
            let filtered = try await api.raw(.GET, "/web/v1/audit?user=vic&result=FAILURE")
            let list = ((try JSONSerialization.jsonObject(with: filtered.body) as? [String: Any])?["res_obj"] as? [String: Any])?["entries"] as? [[String: Any]] ?? []
            #expect(!list.isEmpty && list.allSatisfy { $0["user"] as? String == "vic" && $0["result"] as? String == "FAILURE" })
            #expect(try await api.raw(.GET, "/web/v1/audit?from=abc").status == 400)
        }
    }
}
