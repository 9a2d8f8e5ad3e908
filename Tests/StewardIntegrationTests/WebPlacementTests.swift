import Foundation
import StewardAPI
import StewardClient
import Testing

extension IntegrationTests {
    /// Placement from the hosts view, each change confirmed in the dialog that
    /// shows its plan first: add an instance to a newly joined host, remove it,
    /// decommission the host, forget it.
    @Test("web UI: add an instance to a new host, remove it, decommission and forget the host, each confirmed",
          .enabled(if: Browser.enabled))
    func webPlacement() async throws {
        try await withCluster { cluster, api in
            try await cluster.startAgent("host-4")
            try await cluster.waitForHosts(connected: ["host-1", "host-2", "host-3", "host-4"])
            let base = api.baseURL
            try await withBrowser("placement") { browser in
                try await logIn(browser, base, user: "admin", password: TestCluster.password)
                try await browser.wait("document.querySelector('tr[data-host=\"host-4\"] [data-key=\"decommission:host-4\"]')")
                // A host with instances cannot be forgotten from the page.
                #expect(try await browser.eval("document.querySelector('[data-key=\"forget:host-1\"]').disabled")?.bool == true)

                try await browser.click("[data-key=add-instance]")
                try await browser.wait("document.querySelector('#dialog[open] select[name=role]')")
                try await browser.eval("""
                    (() => { const d = document.querySelector('#dialog');
                      d.querySelector('select[name=role]').value = 'GatewayServer';
                      d.querySelector('select[name=host]').value = 'host-4';
                      d.querySelector('input[name=start]').checked = false;
                      d.querySelector('input[name=start]').dispatchEvent(new Event('change')); })()
                    """)
                let plan = try await browser.wait("(t => t.includes('GatewayServer on host-4') && t)(document.querySelector('#dialog[open] .plan ol')?.textContent ?? '')")?.string ?? ""
                #expect(plan.contains("Render configuration") && !plan.contains("Start GatewayServer@host-4"), "\(plan)")
                #expect(try await api.instances().allSatisfy { $0.hostName != "host-4" }, "a dry run must place nothing")
                try await browser.screenshot("1-add")
                try await browser.click("#dialog button[type=submit]")
                try await browser.wait("/^#\\/commands\\/\\d+$/.test(location.hash)")
                try await browser.wait(commandIs("COMPLETE"), timeout: 60)
                let placed = try #require(try await api.instances().first { $0.name == "GatewayServer@host-4" })
                #expect(placed.ordinal == 3 && placed.operationalStatus == .stopped)

                try await runFromDashboard(browser, base, button: "remove:GatewayServer@host-4", planShows: "Clean up GatewayServer@host-4")
                #expect(try await api.instances().allSatisfy { $0.hostName != "host-4" })
                try await runFromDashboard(browser, base, button: "decommission:host-4", planShows: "Decommission host-4")
                #expect(try await api.hosts().first { $0.hostName == "host-4" }?.state == .decommissioned)

                try await browser.navigate(base + "/#/")
                try await browser.wait("document.querySelector('tr[data-host=\"host-4\"] [data-host-state=DECOMMISSIONED]')")
                try await browser.screenshot("2-decommissioned")
                try await browser.wait("document.querySelector('[data-key=\"forget:host-4\"]:not([disabled])')")
                try await browser.click("[data-key=\"forget:host-4\"]")
                try await browser.wait("document.querySelector('#dialog[open]')?.textContent.includes('Forget host-4')")
                try await browser.click("#dialog button[type=submit]")
                try await browser.wait("!document.querySelector('tr[data-host=\"host-4\"]')")
                #expect(try await api.hosts().map(\.hostName) == ["host-1", "host-2", "host-3"])
                try await expectNoPageErrors(browser)
            }
        }
    }

    /// From the dashboard: the button, its dialog's plan, Confirm, and the command's page until COMPLETE.
    private func runFromDashboard(_ browser: Browser, _ base: String, button: String, planShows step: String) async throws {
        try await browser.navigate(base + "/#/")
        try await browser.wait("document.querySelector('[data-key=\"\(button)\"]:not([disabled])')")
        try await browser.click("[data-key=\"\(button)\"]")
        try await browser.wait("(document.querySelector('#dialog[open] .plan ol')?.textContent ?? '').includes('\(step)')")
        try await browser.click("#dialog button[type=submit]")
        try await browser.wait(commandIs("COMPLETE"), timeout: 60)
    }
}
