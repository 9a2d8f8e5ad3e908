import StewardEngine
import Testing

@Suite("Heartbeat policy")
struct HeartbeatPolicyTests {
    let base = HeartbeatPolicy(intervalMs: 1000, timeoutMs: 5000, maxPerSecond: 1000)

    @Test func smallClustersKeepTheConfiguredFigures() {
        for hosts in [0, 1, 3, 100, 999, 1000] {
            #expect(base.scaled(hosts: hosts) == base, "\(hosts) hosts")
        }
    }

    @Test func largeClustersHeartbeatLessOftenAndKeepTheMissedBeatCount() {
        let big = base.scaled(hosts: 5000)
        #expect(big.intervalMs == 5000)
        #expect(big.timeoutMs == 25_000)
        #expect(big.timeoutMs / big.intervalMs == base.timeoutMs / base.intervalMs)
        // The rate the manager takes stays at or under the cap.
        for hosts in [1001, 1500, 2500, 4999, 5000, 12_345] {
            let p = base.scaled(hosts: hosts)
            #expect(hosts * 1000 / p.intervalMs <= base.maxPerSecond, "\(hosts) hosts")
            #expect(p.intervalMs % 1000 == 0 && p.timeoutMs >= base.timeoutMs)
        }
        #expect(base.scaled(hosts: 1001).intervalMs == 2000)
    }

    @Test func aTimeoutThatIsNotAMultipleScalesInProportion() {
        let odd = HeartbeatPolicy(intervalMs: 200, timeoutMs: 1500, maxPerSecond: 100).scaled(hosts: 250)
        #expect(odd.intervalMs == 3000)
        #expect(odd.timeoutMs == 22_500)
    }

    @Test func noCapMeansNoScaling() {
        let uncapped = HeartbeatPolicy(intervalMs: 1000, timeoutMs: 5000, maxPerSecond: 0)
        #expect(uncapped.scaled(hosts: 100_000) == uncapped)
    }
}
