import Foundation
import StewardClient
import StewardAPI
import Testing

/// Configuration versions in a real browser: the list on the configuration
/// page, and a rollback confirmed with the manager's plan.
extension IntegrationTests {
    @Test("web UI: the configuration page lists versions with what changed; Rollback shows the plan, then restores the values",
          .enabled(if: Browser.enabled))
    func webConfigVersionsRollback() async throws {
        try await withCluster { _, api in
            #expect(try await api.run(.start, "Coordinator", onlySelf: true).state == .complete)
            let save = try await api.saveConfiguration(SaveConfigurationRequest(restartAffectedComponents: false, components: [
                .init(componentName: "Coordinator", configurations: [.init(name: "log_level", value: "DEBUG")]),
            ]))
            #expect(try await api.wait(for: save.envelope.id).state == .complete)
            let base = api.baseURL
            try await withBrowser("versions") { browser in
                try await logIn(browser, base, user: "admin", password: TestCluster.password)
                try await browser.navigate(base + "/#/services/Coordinator/configuration")
                let newest = try await browser.wait("document.querySelector('tr[data-version=\"2\"]')?.textContent")?.string ?? ""
                #expect(newest.contains("admin") && newest.contains("log_level") && newest.contains("INFO → DEBUG"), "\(newest)")
                #expect(newest.contains("CURRENT"), "the newest version is the configuration now: \(newest)")
                #expect(try await browser.eval("!!document.querySelector('[data-key=\"rollback-2\"]')")?.bool == false)
                let first = try await browser.eval("document.querySelector('tr[data-version=\"1\"]').textContent")?.string ?? ""
                #expect(first.contains("system") && first.contains("The first version"), "\(first)")
                try await browser.screenshot("1-versions")

                // The dialog shows the dry run's plan: log_level is read by every running CoordinatorServer.
                try await browser.click(#"[data-key="rollback-1"]"#)
                let plan = try await browser.wait("(t => t.includes('Start') && t)(document.querySelector('#dialog[open] .plan ol')?.textContent ?? '')")?.string ?? ""
                #expect(plan.contains("Roll back to version 1: restore 1 value(s) of Coordinator: log_level"), "\(plan)")
                #expect(plan.contains("Stop CoordinatorServer") && plan.contains("Start CoordinatorServer"), "\(plan)")
                try await browser.screenshot("2-confirm")
                #expect(try await api.configVersions(cluster: 1).total == 2, "a dry run makes no version")

                try await browser.click("#dialog button[type=submit]")
                try await browser.wait("/^#\\/commands\\/\\d+$/.test(location.hash) && \(commandIs("COMPLETE"))", timeout: 60)
                try await browser.screenshot("3-rolled-back")
                let instances = try await api.instances(service: "Coordinator")
                #expect(instances.allSatisfy { $0.configurations["log_level"] == "INFO" && !$0.configStale && $0.operationalStatus == .started })
                let three = try await api.configVersion(3, cluster: 1)
                #expect(three.user == "admin" && three.changes.map(\.newValue) == ["INFO"])

                // The list shows the rollback as the newest version.
                try await browser.navigate(base + "/#/services/Coordinator/configuration")
                let rolled = try await browser.wait("document.querySelector('tr[data-version=\"3\"]')?.textContent")?.string ?? ""
                #expect(rolled.contains("Roll back to version 1") && rolled.contains("DEBUG → INFO"), "\(rolled)")
                try await expectNoPageErrors(browser)
            }
        }
    }
}
