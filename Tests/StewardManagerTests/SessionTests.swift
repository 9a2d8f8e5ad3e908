@testable import StewardManager
import StewardAPI
import StewardEngine
import Testing

@Suite("Sessions, tickets and throttling")
struct SessionTests {
    @Test func anIdleSessionEndsAndAnOldOneToo() {
        let clock = ManualClock()
        let sessions = SessionStore(idleSeconds: 60, maxAgeSeconds: 150, clock: clock)
        let token = sessions.newWebSession(user: "ann", role: .viewer, parent: nil)
        clock.advance(seconds: 60)
        #expect(sessions.webSession(token)?.user == "ann", "used within its idle time, it goes on")
        clock.advance(seconds: 61)
        #expect(sessions.webSession(token) == nil, "idle for longer, it ends")
        let busy = sessions.newWebSession(user: "ann", role: .viewer, parent: nil)
        for _ in 0..<3 {
            clock.advance(seconds: 50)
            #expect(sessions.webSession(busy) != nil)
        }
        clock.advance(seconds: 50)
        #expect(sessions.webSession(busy) == nil, "in use all along, it still ends at its maximum age")
        let lasting = SessionStore(idleSeconds: 3600, maxAgeSeconds: 3600, clock: clock)
        let kept = lasting.newWebSession(user: "ann", role: .viewer, parent: nil)
        #expect(lasting.webSession(kept)?.user == "ann")
        #expect(lasting.webSession("not-a-token") == nil)
    }

    @Test func loginTicketsAreOneUseAndBoundToTheirCasSession() {
        let sessions = SessionStore(idleSeconds: 60, maxAgeSeconds: 60, clock: ManualClock())
        let lt = sessions.newLoginTicket(casSession: "cas-1")
        #expect(lt.hasPrefix("LT-"))
        #expect(!sessions.consumeLoginTicket(lt, casSession: "cas-2"))
        let lt2 = sessions.newLoginTicket(casSession: "cas-1")
        #expect(sessions.consumeLoginTicket(lt2, casSession: "cas-1"))
        #expect(!sessions.consumeLoginTicket(lt2, casSession: "cas-1"), "a ticket is used once")
    }

    @Test func endingAGrantEndsItsWebSessions() {
        let sessions = SessionStore(idleSeconds: 60, maxAgeSeconds: 60, clock: ManualClock())
        let tgt = sessions.newGrant(user: "bob", role: .operator)
        let st = sessions.newServiceTicket(grant: tgt)
        let (grant, parent) = try! #require(sessions.consumeServiceTicket(st))
        #expect(grant.user == "bob")
        #expect(sessions.consumeServiceTicket(st) == nil, "a service ticket is used once")
        let web = sessions.newWebSession(user: grant.user, role: grant.role, parent: parent)
        let other = sessions.newWebSession(user: "bob", role: .operator, parent: nil)
        sessions.endGrant(tgt)
        #expect(sessions.grant(tgt) == nil)
        #expect(sessions.webSession(web) == nil)
        #expect(sessions.webSession(other) != nil)
        sessions.endUser("bob")
        #expect(sessions.webSession(other) == nil)
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
