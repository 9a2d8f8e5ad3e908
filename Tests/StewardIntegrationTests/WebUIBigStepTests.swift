import Foundation
import StewardClient
import StewardAPI
import Testing

/// A step bigger than the progress document lists, in a real browser: the
/// counts of every task, the twenty listed, "N more", and the rest paged in.
extension IntegrationTests {
    /// Sleeper on 150 hosts; only host-1..3 have agents, so 147 tasks fail at once (host lost).
    static var wideStack: String {
        let names = (1...150).map { "\"host-\($0)\"" }.joined(separator: ",")
        return """
            {"name": "wide", "version": "1", "cluster": {"id": 1, "name": "wide", "hosts": [\(names)]},
             "services": [{"name": "Wide", "roles": [{"name": "Sleeper", "hosts": [\(names)],
               "process": {"start": ["/bin/sleep", "100000"], "check": {"type": "process"}}}]}]}
            """
    }

    @Test("web UI: a 150-task step shows its counts, 20 tasks and '130 more', then pages the rest in",
          .enabled(if: Browser.enabled))
    func webBigStep() async throws {
        try await withCluster(stackJSON: Self.wideStack) { _, api in
            let done = try await api.run(.start, "Wide", onlySelf: true)
            #expect(done.state == .failed)
            let step = try #require(done.resObj?.stepList.first)
            #expect(step.taskCount == 150 && step.taskStates.succeeded == 3 && step.taskStates.failed == 147)
            #expect(step.tasks.count == 20 && step.tasksOmitted == 130)
            let base = api.baseURL
            try await withBrowser("big-step") { browser in
                try await logIn(browser, base, user: "admin", password: TestCluster.password)
                try await browser.navigate(base + "/#/commands/\(done.id)")
                try await browser.wait("\(commandIs("FAILED")) && document.querySelector('[data-more=\"0\"]')")
                let counts = try await browser.eval("document.querySelector('[data-counts=\"0\"]').textContent")?.string ?? ""
                #expect(counts == "150 tasks: 3 succeeded, 147 failed", "\(counts)")
                #expect(try await browser.eval("document.querySelectorAll('tr[data-task]').length")?.number == 20)
                #expect(try await browser.eval("[...document.querySelectorAll('tr[data-task] [data-state]')].every(e => e.dataset.state === 'FAILED')")?.bool == true,
                        "the failed ones are listed first")
                let more = try await browser.eval("document.querySelector('[data-more=\"0\"]').textContent")?.string ?? ""
                #expect(more.hasPrefix("130 more tasks"), "\(more)")
                // The failure panel names twenty of the 147 failed instances and counts the rest.
                #expect(try await browser.eval("document.querySelectorAll('#failure li').length")?.number == 20)
                #expect(try await browser.eval("document.querySelector('[data-key=more-failures]').textContent")?.string == "and 127 more.")
                try await browser.screenshot("1-listed")

                // The rest, by page, in id order: 100, then the last 50.
                try await browser.click("[data-key=\"more:0\"]")
                try await browser.wait("document.querySelectorAll('tr[data-task]').length === 100")
                #expect(try await browser.eval("document.querySelector('[data-more=\"0\"]').textContent")?.string?.hasPrefix("50 more tasks") == true)
                #expect(try await browser.eval("document.querySelector('tr[data-task]').dataset.task")?.string == "Sleeper@host-1",
                        "in id order, the succeeded ones too")
                try await browser.click("[data-key=\"more:0\"]")
                try await browser.wait("document.querySelectorAll('tr[data-task]').length === 150 && !document.querySelector('[data-more=\"0\"]')")
                let hosts = try await browser.eval("[...document.querySelectorAll('tr[data-task]')].map(r => r.dataset.task.split('@host-')[1]).join(',')")?.string
                #expect(hosts == (1...150).map(String.init).joined(separator: ","))
                try await browser.screenshot("2-paged")

                // Retry names the failed tasks listed and counts the others.
                try await browser.click("[data-key=retry]")
                let dialog = try await browser.wait("document.querySelector('#dialog[open]')?.textContent")?.string ?? ""
                #expect(dialog.contains("and 127 more."), "\(dialog)")
                try await browser.key("Escape")
                try await expectNoPageErrors(browser)
            }
        }
    }
}
