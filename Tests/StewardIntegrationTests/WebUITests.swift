import Foundation
import StewardClient
import StewardAPI
import Testing

/// The web UI in a real headless Chromium against a real manager and agents:
/// what an operator clicks, read back both from the page and from the API.
/// Screenshots of each step go to test-artifacts/ui/.
extension IntegrationTests {
    @Test("web UI: log in through CAS, start a service from the dashboard, watch its progress reach 100%",
          .enabled(if: Browser.enabled))
    func webStartServiceToComplete() async throws {
        try await withCluster { cluster, api in
            // A slow start, so that the page shows progress before the end.
            let slow = try await api.saveConfiguration(roleValue("Storage", "StorageNode", "startup_delay_ms", "1500"))
            #expect(try await api.wait(for: slow.envelope.id).state == .complete)
            let base = api.baseURL
            try await withBrowser("start") { browser in
                try await logIn(browser, base, user: "admin", password: TestCluster.password)
                try await browser.screenshot("1-dashboard")
                #expect(try await browser.eval("document.querySelector('#session-user').textContent")?.string == "admin (admin)")
                #expect(try await browser.eval("document.querySelectorAll('tr[data-service]').length")?.number == 3)
                #expect(try await browser.eval("document.querySelectorAll('tr[data-host] [data-state=CONNECTED]').length")?.number == 3)
                // Each host's address (the agents' default --address) and what its agent reported of it.
                #expect(try await browser.eval("document.querySelectorAll('tr[data-host] [data-ip=\"127.0.0.1\"]').length")?.number == 3)
                #expect(try await browser.eval(#"document.querySelector('tr[data-host="host-1"] [data-ip]').textContent"#)?.string?
                    .contains("cores") == true)
                #expect(try await browser.eval(state(#"tr[data-service="Storage"]"#))?.string == "STOPPED")

                // Keyboard: the Start button takes Enter, the dialog takes the
                // focus, Escape closes it and gives the focus back.
                try await browser.eval(#"document.querySelector('tr[data-service="Storage"] [data-action=start]').focus()"#)
                try await browser.key("Enter")
                try await browser.wait("document.querySelector('#dialog').open && document.querySelector('#dialog').contains(document.activeElement)")
                try await browser.key("Escape")
                try await browser.wait(#"!document.querySelector('#dialog').open && document.activeElement.dataset.key === 'start:Storage'"#)

                // The dialog shows the dry-run plan; with dependencies it grows.
                try await browser.click(#"tr[data-service="Storage"] [data-action=start]"#)
                let plan = try await browser.wait("document.querySelector('#dialog[open] .plan ol')?.textContent")?.string ?? ""
                #expect(plan.contains("Start StorageNode") && !plan.contains("Coordinator"), "\(plan)")
                try await browser.click("#dialog-scope")
                let wider = try await browser.wait("(t => t.includes('Coordinator') && t)(document.querySelector('#dialog[open] .plan ol')?.textContent ?? '')")?.string ?? ""
                #expect(wider.contains("Start CoordinatorServer") && wider.contains("Start StorageMaster"), "\(wider)")
                try await browser.screenshot("2-confirm")
                #expect(try await api.services().allSatisfy { $0.runningCommand == nil }, "a dry run must start nothing")

                // Every value the command page's bar shows, as the events arrive.
                try await browser.eval("""
                    window.seen = []; new MutationObserver(() => {
                      const bar = document.querySelector('[aria-label="Command progress"]');
                      if (bar && window.seen[window.seen.length - 1] !== Number(bar.dataset.progress)) window.seen.push(Number(bar.dataset.progress));
                    }).observe(document.querySelector('main'), {subtree: true, childList: true, attributes: true})
                    """)
                try await browser.click("#dialog button[type=submit]")
                let hash = try await browser.wait("/^#\\/commands\\/\\d+$/.test(location.hash) && location.hash")?.string ?? ""
                let id = try #require(Int64(hash.split(separator: "/").last ?? ""))
                try await browser.wait(commandIs("IN_PROGRESS"))
                try await browser.screenshot("3-running")
                try await browser.wait(commandIs("COMPLETE"), timeout: 60)
                try await browser.screenshot("4-complete")

                let seen = try await browser.eval("window.seen")?.array?.compactMap(\.number) ?? []
                #expect(seen.last == 100, "\(seen)")
                #expect(seen.contains { $0 < 100 }, "the bar must move before the end: \(seen)")
                #expect(seen == seen.sorted(), "progress must never go back: \(seen)")
                #expect(try await browser.eval("document.querySelectorAll('.step [data-state=SUCCEEDED]').length")?.number ?? 0 >= 3)

                // The page showed what the manager says.
                let progress = try await api.progress(id)
                #expect(progress.envelope.state == .complete)
                #expect(progress.envelope.totalProgress == 100)
                #expect(progress.envelope.resObj?.user == "admin")
                #expect(progress.envelope.resObj?.commandKind == .startService)
                #expect(try await api.services().first { $0.name == "Storage" }?.operationalStatus == .started)

                // The commands page lists it, complete, at 100%.
                try await browser.navigate(base + "/#/commands")
                try await browser.wait("document.querySelector('tr[data-command=\"\(id)\"] [data-state=COMPLETE]')")
                #expect(try await browser.eval("document.querySelector('tr[data-command=\"\(id)\"] [role=progressbar]').getAttribute('aria-valuenow')")?.string == "100")
                try await browser.screenshot("5-commands")
                try await expectNoPageErrors(browser)
            }
        }
    }

    @Test("web UI: a held port fails a start; the failed command shows the failed instance and its output",
          .enabled(if: Browser.enabled))
    func webHeldPortFailure() async throws {
        try await withCluster { cluster, api in
            #expect(try await api.run(.start, "Storage", onlySelf: false).state == .complete)
            let held = try await cluster.port("GatewayServer@host-2")
            let holder = try PortHolder(port: held)
            defer { holder.release() }
            let base = api.baseURL
            try await withBrowser("failure") { browser in
                try await logIn(browser, base, user: "admin", password: TestCluster.password)
                try await browser.click(#"tr[data-service="Gateway"] [data-action=start]"#)
                try await browser.wait("document.querySelector('#dialog[open] .plan ol')")
                try await browser.click("#dialog button[type=submit]")
                try await browser.wait(commandIs("FAILED"), timeout: 60)

                // From the commands page, filtered to failures, to the command.
                try await browser.navigate(base + "/#/commands")
                try await browser.wait("document.querySelector('select[name=state]')")
                try await browser.eval("document.querySelector('select[name=state]').value = 'FAILED'")
                try await browser.click("[data-key=filter]")
                try await browser.wait("location.hash.includes('state=FAILED') && document.querySelectorAll('tr[data-command]').length === 1")
                let failedId = try #require(try await browser.eval("document.querySelector('tr[data-command]').dataset.command")?.string)
                try await browser.screenshot("1-failed-list")
                try await browser.click("tr[data-command] th a")
                try await browser.wait("location.hash === '#/commands/\(failedId)' && document.querySelector('#failure')")

                let failure = try await browser.eval("document.querySelector('#failure').textContent")?.string ?? ""
                #expect(failure.contains("GatewayServer@host-2"), "\(failure)")
                #expect(!failure.contains("GatewayServer@host-3"), "\(failure)")
                #expect(try await browser.eval(state(#"tr[data-task="GatewayServer@host-2"]"#))?.string == "FAILED")
                #expect(try await browser.eval(state(#"tr[data-task="GatewayServer@host-3"]"#))?.string == "SUCCEEDED")
                // The failed task's output opens by itself: the role's own words.
                let output = try await browser.wait("(t => t && !t.startsWith('Loading') && t)(document.querySelector('pre.output')?.textContent)")?.string ?? ""
                #expect(output.contains("already in use"), "\(output)")
                #expect(output.contains("\(held)"), "\(output)")
                try await browser.screenshot("2-failed-command")

                let progress = try await api.progress(try #require(Int64(failedId)))
                #expect(progress.envelope.state == .failed)
                #expect(progress.envelope.resObj?.failEntityList.map(\.failEntity) == ["GatewayServer@host-2"])

                // Free the port; Retry runs only the failed task, and completes.
                holder.release()
                try await browser.click("[data-key=retry]")
                try await browser.wait("document.querySelector('#dialog[open]')?.textContent.includes('GatewayServer@host-2')")
                try await browser.click("#dialog button[type=submit]")
                try await browser.wait("location.hash !== '#/commands/\(failedId)' && \(commandIs("COMPLETE"))", timeout: 60)
                #expect(try await browser.eval("document.querySelectorAll('tr[data-task]').length")?.number == 1)
                try await browser.screenshot("3-retried")
                try await expectNoPageErrors(browser)
            }
        }
    }

    @Test("web UI: the configuration editor shows the manager's validation inline, what a save restarts, and sets an instance override",
          .enabled(if: Browser.enabled))
    func webConfigurationEditor() async throws {
        try await withCluster { _, api in
            #expect(try await api.run(.start, "Storage", onlySelf: false).state == .complete)
            let base = api.baseURL
            try await withBrowser("configuration") { browser in
                try await logIn(browser, base, user: "admin", password: TestCluster.password)
                try await browser.click(#"tr[data-service="Storage"] a.button"#)
                let field = #"[data-key="SERVICE|||replication"]"#
                try await browser.wait("document.querySelector('\(field)')")
                try await browser.type(field, "7")
                let error = try await browser.wait("document.querySelector('\(field)').getAttribute('aria-invalid') === 'true' && document.getElementById(document.querySelector('\(field)').getAttribute('aria-describedby').split(' ')[0]).textContent")?.string ?? ""
                #expect(error.contains("integer 1-3"), "\(error)")
                #expect(try await browser.eval("document.querySelector('#config-form button[type=submit]').disabled")?.bool == true)
                try await browser.screenshot("1-invalid")

                try await browser.type(field, "2")
                let summary = try await browser.wait("(t => t && !t.includes('Fix') && t)(document.querySelector('#restart-summary')?.textContent)")?.string ?? ""
                // replication is read by every Storage instance, all running.
                #expect(summary.contains("restarts 4 instances"), "\(summary)")
                for instance in ["StorageMaster@host-1", "StorageNode@host-1", "StorageNode@host-2", "StorageNode@host-3"] {
                    #expect(summary.contains(instance), "\(summary)")
                }
                #expect(try await browser.eval("document.querySelector('\(field)').hasAttribute('aria-invalid')")?.bool == false)
                try await browser.screenshot("2-valid")
                #expect(try await api.instances(service: "Storage").allSatisfy { $0.configurations["replication"] == "3" },
                        "checking must save nothing")

                try await browser.click("#config-form button[type=submit]")
                try await browser.wait("/^#\\/commands\\/\\d+$/.test(location.hash) && \(commandIs("COMPLETE"))", timeout: 60)
                let instances = try await api.instances(service: "Storage")
                #expect(instances.allSatisfy { $0.configurations["replication"] == "2" && !$0.configStale && $0.operationalStatus == .started })
                try await browser.screenshot("3-saved")

                // An instance override where there was none: one host of the role only.
                try await browser.navigate(base + "/#/services/Storage/configuration")
                let role = "ROLE|StorageNode||startup_delay_ms"
                try await browser.wait("document.querySelector('[data-key=\"override:\(role)\"]')")
                // Every StorageNode has its own port already: no host is offered for one.
                #expect(try await browser.eval("!!document.querySelector('[data-key=\"override:ROLE|StorageNode||port\"]')")?.bool == false)
                try await browser.eval("document.querySelector('[data-key=\"override:\(role)\"]').value = 'host-2'")
                try await browser.click("[data-key=\"override-add:\(role)\"]")
                let override = "[data-key=\"INSTANCE|StorageNode|host-2|startup_delay_ms\"]"
                try await browser.wait("document.activeElement === document.querySelector('\(override)')")
                try await browser.type(override, "5")
                let one = try await browser.wait("(t => t && t.includes('restarts 1 instance') && t)(document.querySelector('#restart-summary')?.textContent)")?.string ?? ""
                #expect(one.contains("StorageNode@host-2") && !one.contains("host-1") && !one.contains("host-3"), "\(one)")
                try await browser.screenshot("4-override")
                try await browser.click("#config-form button[type=submit]")
                try await browser.wait("/^#\\/commands\\/\\d+$/.test(location.hash) && \(commandIs("COMPLETE"))", timeout: 60)
                let nodes = try await api.instances(service: "Storage").filter { $0.roleName == "StorageNode" }
                #expect(nodes.map { "\($0.hostName)=\($0.configurations["startup_delay_ms"] ?? "?")" }.sorted() == ["host-1=0", "host-2=5", "host-3=0"])

                // An ENUM is a select of the manager's allowed_values. The words of
                // item_conf are replaced on the way, so a page that parsed them fails here.
                try await browser.eval("""
                    window.fetch = ((real) => async (...args) => {
                      const response = await real(...args);
                      if (!String(args[0]).endsWith('/configurations')) return response;
                      const body = await response.json();
                      for (const p of body.res_obj.parameters) p.item_conf = 'see allowed_values';
                      return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
                    })(window.fetch)
                    """)
                // A hash change, not a navigation: the page, and its fetch, stay.
                try await browser.eval("location.hash = '#/services/Coordinator/configuration'")
                let logLevel = #"[data-key="SERVICE|||log_level"]"#
                let options = try await browser.wait("document.querySelector('\(logLevel)')?.tagName === 'SELECT' && [...document.querySelector('\(logLevel)').options].map(o => o.value)")
                let view = try await api.get("/web/v1/cluster/1/services/Coordinator/configurations", as: ServiceConfigurationView.self)
                let allowed = try #require(view.envelope.resObj?.parameters.first { $0.name == "log_level" }?.allowedValues)
                #expect(options?.array?.compactMap(\.string) == allowed)
                #expect(try await browser.eval("document.querySelector('\(logLevel)').value")?.string == "INFO")
                #expect(try await browser.eval("document.querySelector('tr[data-param=\"SERVICE|||log_level\"]').textContent.includes('see allowed_values')")?.bool == true,
                        "the rewritten words reached the page")
                // A value chosen from it is one the manager accepts.
                try await browser.eval("(s => { s.value = 'WARN'; s.dispatchEvent(new Event('input')); })(document.querySelector('\(logLevel)'))")
                try await browser.wait("(t => t && !t.includes('Fix'))(document.querySelector('#restart-summary')?.textContent) && !document.querySelector('#config-form button[type=submit]').disabled")
                #expect(try await browser.eval("document.querySelector('\(logLevel)').hasAttribute('aria-invalid')")?.bool == false)
                try await browser.screenshot("5-enum")
                try await expectNoPageErrors(browser)
            }
        }
    }

    @Test("web UI: abort a running command from its page; it ends FAILED with 14005",
          .enabled(if: Browser.enabled))
    func webAbort() async throws {
        try await withCluster { _, api in
            // A start that would take a minute: long enough to abort, by hand.
            let slow = try await api.saveConfiguration(roleValue("Coordinator", "CoordinatorServer", "startup_delay_ms", "60000"))
            #expect(try await api.wait(for: slow.envelope.id).state == .complete)
            let base = api.baseURL
            try await withBrowser("abort") { browser in
                try await logIn(browser, base, user: "admin", password: TestCluster.password)
                try await browser.click(#"tr[data-service="Coordinator"] [data-action=start]"#)
                try await browser.wait("document.querySelector('#dialog[open] .plan ol')")
                try await browser.click("#dialog button[type=submit]")
                try await browser.wait("\(commandIs("IN_PROGRESS")) && document.querySelector('tr[data-task] [data-state=RUNNING]')")
                let hash = try await browser.eval("location.hash")?.string ?? ""
                let id = try #require(Int64(hash.split(separator: "/").last ?? ""))
                try await browser.click("[data-key=abort]")
                try await browser.wait("document.querySelector('#dialog[open]')")
                try await browser.screenshot("1-confirm")
                try await browser.click("#dialog button[type=submit]")
                try await browser.wait("\(commandIs("FAILED")) && document.querySelector('#failure')")
                let failure = try await browser.eval("document.querySelector('#failure').textContent")?.string ?? ""
                #expect(failure.contains("\(ErrorCode.aborted.rawValue)"), "\(failure)")
                #expect(try await browser.eval("!!document.querySelector('[data-key=abort]')")?.bool == false)
                try await browser.screenshot("2-aborted")
                let progress = try await api.progress(id)
                #expect(progress.envelope.state == .failed)
                #expect(progress.envelope.errorCode == ErrorCode.aborted.rawValue)
                #expect(try await api.services().first { $0.name == "Coordinator" }?.runningCommand == nil)
                try await expectNoPageErrors(browser)
            }
        }
    }

    @Test("web UI: an admin creates a user, changes its role, deletes it, and reads it all in the audit log",
          .enabled(if: Browser.enabled))
    func webUsersAndAudit() async throws {
        try await withCluster { _, api in
            let base = api.baseURL
            try await withBrowser("admin") { browser in
                try await logIn(browser, base, user: "admin", password: TestCluster.password)
                #expect(try await browser.eval("!document.querySelector('[data-nav=users]').hidden")?.bool == true)
                try await browser.click("[data-nav=users]")
                try await browser.wait("document.querySelector('#create-user')")
                // Every body the page sends, to show that no password comes from the browser.
                try await browser.eval("window.sent = []; window.fetch = (real => (url, init) => { window.sent.push(init?.body ?? ''); return real(url, init); })(window.fetch)")
                try await browser.type("#create-user input[name=user_name]", "olga")
                try await browser.eval("document.querySelector('#create-user select[name=role]').value = 'viewer'")
                try await browser.click("#create-user button[type=submit]")
                // The generated password is shown once, and it is the real one.
                let password = try await browser.wait("document.querySelector('[data-password=olga]')?.textContent")?.string ?? ""
                #expect(password.count >= 12)
                #expect(try await StewardClient(baseURL: base, user: "olga", password: password).raw(.GET, "/web/v1/access/login_check").status == 200)
                try await browser.screenshot("1-created")

                // A reset, confirmed first: the manager's new password is shown, once, and is the real one.
                try await browser.click("[data-key=\"reset:olga\"]")
                try await browser.wait("document.querySelector('#dialog[open]')?.textContent.includes('olga')")
                try await browser.click("#dialog button[type=submit]")
                let reset = try await browser.wait("(t => t && t !== '\(password)' && t)(document.querySelector('[data-password=olga]')?.textContent)")?.string ?? ""
                let initial = StewardClient(baseURL: base, user: "olga", password: reset)
                #expect(try await initial.raw(.GET, "/web/v1/access/login_check").status == 200)
                #expect(try await StewardClient(baseURL: base, user: "olga", password: password).raw(.GET, "/web/v1/ping").status == 401)
                #expect(try await api.get("/web/v1/access/users", as: UserList.self).envelope.resObj?.users.first { $0.userName == "olga" }?.modifyPwd == true)
                let sent = try await browser.eval("window.sent")?.array?.compactMap(\.string) ?? []
                #expect(sent.contains { $0.contains("reset_password") }, "\(sent)")
                #expect(!sent.contains { $0.contains(#""password""#) }, "the page sent a password of its own: \(sent)")
                // Kept by the page in memory only, and no Reset for oneself (it would end this session).
                #expect(try await browser.eval("[...Object.values(sessionStorage), ...Object.values(localStorage)].some(v => v.includes('\(reset)'))")?.bool == false)
                #expect(try await browser.eval("!!document.querySelector('[data-key=\"reset:admin\"]')")?.bool == false)
                try await browser.screenshot("1-reset")

                try await browser.eval("document.querySelector('[data-key=\"role:olga\"]').value = 'operator'")
                try await browser.click("[data-key=\"set-role:olga\"]")
                try await browser.wait("!document.querySelector('#initial-password') && document.querySelector('[data-key=\"role:olga\"]')?.value === 'operator'")
                let listed = try await api.get("/web/v1/access/users", as: UserList.self).envelope.resObj?.users ?? []
                #expect(listed.first { $0.userName == "olga" }?.role == .operator)
                // An initial password must be changed before anything else.
                let q = "old_password=\(reset)&new_password=Chosen-pass-7&confirm_password=Chosen-pass-7"
                #expect(try await initial.raw(.POST, "/web/v1/access/modify_self_password?" + q, body: Data("{}".utf8)).status == 200)
                let olga = StewardClient(baseURL: base, user: "olga", password: "Chosen-pass-7")
                #expect(try await olga.raw(.POST, "/web/v1/maintain/cluster/1/service/Coordinator/start?dry_run=true",
                                           body: Data("{}".utf8), headers: [("Content-Type", "application/json")]).status == 200,
                        "olga is an operator now")

                try await browser.click("[data-key=\"delete:olga\"]")
                try await browser.wait("document.querySelector('#dialog[open]')?.textContent.includes('olga')")
                try await browser.click("#dialog button[type=submit]")
                try await browser.wait("document.querySelector('#users') && !document.querySelector('tr[data-user=olga]')")
                #expect(try await olga.raw(.GET, "/web/v1/ping").status == 401)
                // No Delete for oneself.
                #expect(try await browser.eval("!!document.querySelector('[data-key=\"delete:admin\"]')")?.bool == false)

                try await browser.click("[data-nav=audit]")
                try await browser.wait("document.querySelector('#audit')")
                try await browser.type("input[name=action]", "USER_")
                try await browser.click("[data-key=audit-filter]")
                // Actions match exactly: a prefix finds nothing.
                try await browser.wait("location.hash.includes('action=USER_') && document.querySelector('main .empty')?.textContent === 'No entry matches.'")
                try await browser.type("input[name=action]", "user_create")
                try await browser.click("[data-key=audit-filter]")
                let row = try await browser.wait("location.hash.includes('action=USER_CREATE') && document.querySelector('tr[data-audit]')?.textContent")?.string ?? ""
                #expect(row.contains("admin") && row.contains("USER_CREATE") && row.contains("/web/v1/access/users"), "\(row)")
                try await browser.screenshot("2-audit")
                try await expectNoPageErrors(browser)
            }
        }
    }

    @Test("web UI: an initial password is changed on modify_password.html; a viewer sees no actions; log out",
          .enabled(if: Browser.enabled))
    func webInitialPasswordAndViewer() async throws {
        try await withCluster { _, api in
            let created = try await api.post("/web/v1/access/users",
                                             ["user_name": "vera", "role": "viewer", "password": "Initial-pass-9"],
                                             as: NoResult.self)
            #expect(created.status == 200)
            let base = api.baseURL
            try await withBrowser("password") { browser in
                try await browser.navigate(base + "/")
                try await browser.wait("location.pathname === '/cas/login' && document.querySelector('#username')")
                try await browser.type("#username", "vera")
                try await browser.type("#password", "Initial-pass-9")
                try await browser.click("input[type=submit]")
                try await browser.wait("document.querySelector('a[href=\"/web/modify_password.html\"]')")
                try await browser.click("a[href=\"/web/modify_password.html\"]")
                try await browser.wait("document.querySelector('#who')?.textContent.includes('initial')")
                try await browser.screenshot("1-change")

                // The policy is the manager's: a weak password is refused, in the page.
                try await browser.type("#old_password", "Initial-pass-9")
                try await browser.type("#new_password", "vera-password")
                try await browser.type("#confirm_password", "vera-password")
                try await browser.click("#password-form button[type=submit]")
                let refusal = try await browser.wait("(e => !e.hidden && e.textContent)(document.querySelector('#password-error'))")?.string ?? ""
                #expect(refusal.contains("user name"), "\(refusal)")

                try await browser.type("#new_password", "Better-pass-7")
                try await browser.type("#confirm_password", "Better-pass-7")
                try await browser.click("#password-form button[type=submit]")
                // The change ends the old credentials; the UI goes back through the CAS login.
                try await browser.wait("(location.pathname === '/cas/login' && document.querySelector('#username')) || document.querySelector('#session-user')?.textContent === 'vera (viewer)'")
                if try await browser.eval("location.pathname")?.string == "/cas/login" {
                    try await browser.type("#username", "vera")
                    try await browser.type("#password", "Better-pass-7")
                    try await browser.click("input[type=submit]")
                }
                try await browser.wait("document.querySelector('#session-user')?.textContent === 'vera (viewer)' && document.querySelectorAll('tr[data-service]').length === 3")
                #expect(try await browser.eval("[...document.querySelectorAll('[data-action]')].every(b => b.disabled)")?.bool == true)
                try await browser.screenshot("2-viewer")
                let users = try await api.raw(.GET, "/web/v1/access/users")
                #expect(String(decoding: users.body, as: UTF8.self).contains(#""modify_pwd":false"#))

                try await browser.click("#logout")
                try await browser.wait("location.pathname === '/cas/logout'")
                try await browser.navigate(base + "/")
                try await browser.wait("location.pathname === '/cas/login'")
                try await expectNoPageErrors(browser)
            }
        }
    }
}

/// A configuration save of one value at role level.
func roleValue(_ service: String, _ role: String, _ name: String, _ value: String, restart: Bool = true) -> SaveConfigurationRequest {
    SaveConfigurationRequest(restartAffectedComponents: restart, components: [
        .init(componentName: service, children: [.init(roleName: role, configurations: [.init(name: name, value: value)])]),
    ])
}
