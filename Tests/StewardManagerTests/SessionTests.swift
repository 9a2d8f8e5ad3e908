import NIOConcurrencyHelpers
@testable import StewardManager
import StewardAPI
import StewardEngine
import Testing

@Suite("Sessions, tickets and throttling")
struct SessionTests {
    @Test func anIdleSessionEndsAndAnOldOneToo() async throws {
        let clock = ManualClock()
        let sessions = SessionStore(idleSeconds: 60, maxAgeSeconds: 150, clock: clock)
        let token = try await sessions.newWebSession(user: "ann", role: .viewer, parent: nil)
        clock.advance(seconds: 60)
        #expect(try await sessions.webSession(token)?.user == "ann", "used within its idle time, it goes on")
        clock.advance(seconds: 61)
        #expect(try await sessions.webSession(token) == nil, "idle for longer, it ends")
        let busy = try await sessions.newWebSession(user: "ann", role: .viewer, parent: nil)
        for _ in 0..<3 {
            clock.advance(seconds: 50)
            #expect(try await sessions.webSession(busy) != nil)
        }
        clock.advance(seconds: 50)
        #expect(try await sessions.webSession(busy) == nil, "in use all along, it still ends at its maximum age")
        let lasting = SessionStore(idleSeconds: 3600, maxAgeSeconds: 3600, clock: clock)
        let kept = try await lasting.newWebSession(user: "ann", role: .viewer, parent: nil)
        #expect(try await lasting.webSession(kept)?.user == "ann")
        #expect(try await lasting.webSession("not-a-token") == nil)
    }

    @Test func loginTicketsAreOneUseAndBoundToTheirCasSession() async throws {
        let sessions = SessionStore(idleSeconds: 60, maxAgeSeconds: 60, clock: ManualClock())
        let lt = sessions.newLoginTicket(casSession: "cas-1")
        #expect(lt.hasPrefix("LT-"))
        #expect(try await sessions.consumeLoginTicket(lt, casSession: "cas-2") == false)
        let lt2 = sessions.newLoginTicket(casSession: "cas-1")
        #expect(try await sessions.consumeLoginTicket(lt2, casSession: "cas-1"))
        #expect(try await sessions.consumeLoginTicket(lt2, casSession: "cas-1") == false, "a ticket is used once")
    }

    @Test func endingAGrantEndsItsWebSessions() async throws {
        let sessions = SessionStore(idleSeconds: 60, maxAgeSeconds: 60, clock: ManualClock())
        let tgt = try await sessions.newGrant(user: "bob", role: .operator)
        let st = try await sessions.newServiceTicket(grant: tgt)
        let (grant, parent) = try #require(try await sessions.consumeServiceTicket(st))
        #expect(grant.user == "bob")
        #expect(try await sessions.consumeServiceTicket(st) == nil, "a service ticket is used once")
        let web = try await sessions.newWebSession(user: grant.user, role: grant.role, parent: parent)
        let other = try await sessions.newWebSession(user: "bob", role: .operator, parent: nil)
        try await sessions.endGrant(tgt)
        #expect(try await sessions.grant(tgt) == nil)
        #expect(try await sessions.webSession(web) == nil)
        #expect(try await sessions.webSession(other) != nil)
        try await sessions.endUser("bob")
        #expect(try await sessions.webSession(other) == nil)
    }

    /// Attack: log in, fetch login pages and never come back. Without a sweep
    /// every session and ticket nobody looks up again stays in memory for good.
    @Test func theSweepDropsExpiredSessionsGrantsAndTickets() async throws {
        let clock = ManualClock()
        let sessions = SessionStore(idleSeconds: 60, maxAgeSeconds: 3600, clock: clock)
        for i in 0..<100 {
            let tgt = try await sessions.newGrant(user: "u\(i)", role: .viewer)
            _ = try await sessions.newServiceTicket(grant: tgt)
            _ = try await sessions.newWebSession(user: "u\(i)", role: .viewer, parent: nil)
            #expect(try await sessions.consumeLoginTicket(sessions.newLoginTicket(casSession: "cas-\(i)"), casSession: "cas-\(i)"))
            _ = sessions.newLoginTicket(casSession: "abandoned-\(i)")
        }
        let kept = try await sessions.newWebSession(user: "ann", role: .viewer, parent: nil)
        #expect(Self.all(sessions) == [101, 100, 100, 100])
        clock.advance(seconds: 61)
        #expect(try await sessions.webSession(kept) == nil)
        try await sessions.sweep()
        #expect(sessions.counts.webSessions == 0 && sessions.counts.grants == 0 && sessions.counts.serviceTickets == 0,
                "idle sessions and grants and used-up service tickets are gone: \(sessions.counts)")
        #expect(sessions.counts.loginTickets == 100, "used login tickets are remembered for their ten minutes; unused ones cost nothing")
        clock.advance(seconds: 600)
        try await sessions.sweep()
        #expect(Self.all(sessions) == [0, 0, 0, 0])
    }

    /// Attack: log in again and again (a script, a stolen password). Each user
    /// holds at most its cap; the least recently used goes first, so the flood
    /// evicts its own sessions, not one in use; other users keep theirs; and
    /// the total is capped too.
    @Test func theCapsEvictTheLeastRecentlyUsedPerUserAndInAll() async throws {
        let sessions = SessionStore(idleSeconds: 600, maxAgeSeconds: 600, limits: .init(perUser: 3, total: 5), clock: ManualClock())
        let bob = try await sessions.newWebSession(user: "bob", role: .viewer, parent: nil)
        let inUse = try await sessions.newWebSession(user: "ann", role: .viewer, parent: nil)
        var flood: [String] = []
        for _ in 0..<4 {
            #expect(try await sessions.webSession(inUse) != nil, "ann's session in use stays through her own flood")
            flood.append(try await sessions.newWebSession(user: "ann", role: .viewer, parent: nil))
        }
        #expect(try await sessions.webSession(flood[0]) == nil, "the flood's oldest are evicted")
        #expect(try await sessions.webSession(flood[1]) == nil, "the flood's oldest are evicted")
        #expect(try await sessions.webSession(flood[3]) != nil)
        #expect(try await sessions.webSession(inUse) != nil)
        #expect(try await sessions.webSession(bob) != nil, "another user's session stays")
        // ann holds inUse, flood[2], flood[3]; with bob, 4 of 5. Carl's two pass the total: the least recently used goes.
        var carl: [String] = []
        for _ in 0..<2 { carl.append(try await sessions.newWebSession(user: "carl", role: .viewer, parent: nil)) }
        #expect(sessions.counts.webSessions == 5)
        #expect(try await sessions.webSession(flood[2]) == nil, "past the total, the least recently used of all goes")
        for token in carl { #expect(try await sessions.webSession(token) != nil) }
        #expect(try await sessions.webSession(bob) != nil)
        var grants: [String] = []
        for _ in 0..<10 { grants.append(try await sessions.newGrant(user: "ann", role: .viewer)) }
        #expect(sessions.counts.grants == 3)
        for tgt in grants.suffix(3) { #expect(try await sessions.grant(tgt) != nil) }
        for i in 0..<50 { _ = try await sessions.consumeLoginTicket(sessions.newLoginTicket(casSession: "cas-\(i)"), casSession: "cas-\(i)") }
        #expect(sessions.counts.loginTickets == 5, "used login tickets, which anyone can make, are capped in all")
    }

    @Test func aLoginTicketNeedsItsCasSessionAndCannotBeForged() async throws {
        let clock = ManualClock()
        let sessions = SessionStore(idleSeconds: 60, maxAgeSeconds: 60, clock: clock)
        let lt = sessions.newLoginTicket(casSession: "")
        #expect(try await sessions.consumeLoginTicket(lt, casSession: "") == false, "a ticket bound to no cookie logs nobody in")
        let good = sessions.newLoginTicket(casSession: "cas-1")
        let parts = good.split(separator: "-", maxSplits: 2)
        let later = "LT-\(Int64(parts[1])! + 3_600_000)-\(parts[2])"
        #expect(try await sessions.consumeLoginTicket(later, casSession: "cas-1") == false, "a ticket whose expiry was moved fails its signature")
        #expect(try await sessions.consumeLoginTicket("LT-1-x-y", casSession: "cas-1") == false)
        #expect(try await sessions.consumeLoginTicket(SessionStore(idleSeconds: 60, maxAgeSeconds: 60, clock: clock)
            .newLoginTicket(casSession: "cas-1"), casSession: "cas-1") == false, "another process's (another key's) ticket")
        clock.advance(seconds: 601)
        #expect(try await sessions.consumeLoginTicket(good, casSession: "cas-1") == false, "expired")
        #expect(sessions.counts.loginTickets == 0, "no ticket is stored until one is used")
    }

    @Test func aStreamSlotIsReleasedOnceEvenIfTheResponseIsDropped() throws {
        let limiter = StreamLimiter(perUser: 2)
        let first = try limiter.acquire(for: "ann")
        do {
            let second = try limiter.acquire(for: "ann")
            #expect(throws: StewardError.self) { try limiter.acquire(for: "ann") }
            #expect(limiter.openCount(for: "ann") == 2)
            _ = second
        }
        #expect(limiter.openCount(for: "ann") == 1, "a permit dropped unreleased frees its slot")
        first.release()
        first.release()
        #expect(limiter.openCount(for: "ann") == 0)
        _ = try limiter.acquire(for: "bob")
    }

    /// The sweep and the retention run on their own: the manager's Housekeeping service repeats them until stopped.
    @Test func theHousekeepingRunsOnATimerUntilCancelled() async throws {
        let runs = NIOLockedValueBox(0)
        let task = Task { try await Housekeeping(interval: .milliseconds(5)) { runs.withLockedValue { $0 += 1 } }.run() }
        while runs.withLockedValue({ $0 }) < 3 { try await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        // Cancelled (as at shutdown), run() returns: nothing is left ticking.
        _ = await task.result
    }

    static func all(_ sessions: SessionStore) -> [Int] {
        let c = sessions.counts
        return [c.webSessions, c.grants, c.loginTickets, c.serviceTickets]
    }

    @Test func passwordHashesVerifyAndDiffer() throws {
        let a = try PasswordHasher.hash("Correct-horse-1", rounds: 10_000)
        let b = try PasswordHasher.hash("Correct-horse-1", rounds: 10_000)
        #expect(a != b, "salted")
        #expect(a.hasPrefix("pbkdf2-sha256$10000$"))
        #expect(PasswordHasher.verify("Correct-horse-1", against: a))
        #expect(!PasswordHasher.verify("correct-horse-1", against: a))
        #expect(!PasswordHasher.verify("Correct-horse-1", against: "pbkdf2-sha256$10$AAAA$AAAA"), "too few rounds is refused")
        #expect(PasswordChange.policyProblem(user: "ann", old: "x", new: "annsecret-12") != nil)
        #expect(PasswordChange.policyProblem(user: "ann", old: "x", new: "Secret-pass-12") == nil)
    }
}
