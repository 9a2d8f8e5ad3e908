import Foundation
import StewardAPI
import StewardClient
import Testing

/// The rolling restart's dialog in a real browser: its form re-plans as the
/// values change, shows the manager's refusal of a bad one, and starts the
/// command the API then reports.
extension IntegrationTests {
    @Test("web UI: a rolling restart's form re-plans the batches, shows a bad value's refusal, and runs to COMPLETE",
          .enabled(if: Browser.enabled))
    func webRollingRestart() async throws {
        try await withCluster { _, api in
            #expect(try await api.run(.start, "Coordinator", onlySelf: true).state == .complete)
            let base = api.baseURL
            try await withBrowser("rolling") { browser in
                try await logIn(browser, base, user: "admin", password: TestCluster.password)
                try await browser.click(#"tr[data-service="Coordinator"] [data-action=rolling_restart]"#)
                let plan = try await browser.wait("document.querySelector('#dialog[open] .plan ol')?.textContent")?.string ?? ""
                #expect(plan.contains("Restart batch 1 of 3: CoordinatorServer@host-1")
                        && plan.contains("Restart batch 3 of 3: CoordinatorServer@host-3"), "\(plan)")

                // A value out of bounds: the manager's words in place of the plan, and no Confirm.
                try await browser.eval(Self.setField("#rolling-batch-size", "0"))
                let refused = try await browser.wait("document.querySelector('#dialog[open] .plan .error')?.textContent")?.string ?? ""
                #expect(refused.contains("batch_size must be at least 1"), "\(refused)")
                #expect(try await browser.eval("document.querySelector('#dialog button[type=submit]').disabled")?.bool == true)
                try await browser.screenshot("1-refused")

                // Batches of two: two steps.
                try await browser.eval(Self.setField("#rolling-batch-size", "2"))
                let two = try await browser.wait("(t => t.includes('of 2') && t)(document.querySelector('#dialog[open] .plan ol')?.textContent ?? '')")?.string ?? ""
                #expect(two.contains("Restart batch 1 of 2: CoordinatorServer@host-1, CoordinatorServer@host-2")
                        && two.contains("Restart batch 2 of 2: CoordinatorServer@host-3"), "\(two)")
                try await browser.screenshot("2-plan")
                #expect(try await api.commands().total == 1, "the dry runs started nothing")

                try await browser.wait("!document.querySelector('#dialog button[type=submit]').disabled")
                try await browser.click("#dialog button[type=submit]")
                let hash = try await browser.wait("/^#\\/commands\\/\\d+$/.test(location.hash) && location.hash")?.string ?? ""
                let id = try #require(Int64(hash.split(separator: "/").last ?? ""))
                try await browser.wait(commandIs("COMPLETE"), timeout: 60)
                try await browser.screenshot("3-complete")
                let title = try await browser.eval("document.querySelector('h1').textContent")?.string ?? ""
                #expect(title.contains("Rolling restart Coordinator"), "\(title)")

                let progress = try await api.progress(id).envelope
                #expect(progress.state == .complete)
                #expect(progress.resObj?.commandKind == .rollingRestart)
                #expect(progress.stepNames == ["Restart batch 1 of 2: CoordinatorServer@host-1, CoordinatorServer@host-2",
                                               "Restart batch 2 of 2: CoordinatorServer@host-3"])
                try await expectNoPageErrors(browser)
            }
        }
    }

    @Test("web UI: a rolling restart that bore a failure says which, on its complete command's page",
          .enabled(if: Browser.enabled))
    func webRollingRestartBorneFailure() async throws {
        try await withCluster { _, api in
            let (_, result, _) = try await rollingRestartBreakingSecondCoordinator(api, tolerance: 1)
            #expect(result.state == .complete)
            let base = api.baseURL
            try await withBrowser("rolling-borne") { browser in
                try await logIn(browser, base, user: "admin", password: TestCluster.password)
                try await browser.navigate(base + "/#/commands/\(result.id)")
                let note = try await browser.wait("\(commandIs("COMPLETE")) && document.querySelector('#complete')?.textContent")?.string ?? ""
                #expect(note.contains("within the failure tolerance of 1: CoordinatorServer@host-2"), "\(note)")
                #expect(!note.contains("Every step succeeded"))
                #expect(try await browser.eval("document.querySelectorAll('.step [data-state=FAILED]').length")?.number ?? 0 >= 1)
                try await browser.screenshot("1-complete-with-failure")
                try await expectNoPageErrors(browser)
            }
        }
    }

    /// Sets a number field as typing would, with the input event the form listens to.
    static func setField(_ selector: String, _ value: String) -> String {
        "(i => { i.value = '\(value)'; i.dispatchEvent(new Event('input', {bubbles: true})); return true })(document.querySelector('\(selector)'))"
    }
}
