@testable import StewardManager
import Testing

/// The digest of a host credential is what the store keeps: a faster hex
/// encoding must give the very same text, or every joined host is refused.
@Suite("Host credential digest")
struct HostCredentialDigestTests {
    @Test func theDigestIsTheLowercaseHexOfSHA256() {
        #expect(HostCredentials.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(HostCredentials.digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func hexKeepsEveryByteAsTwoDigits() {
        #expect(HostCredentials.hex([0x00, 0x0f, 0xf0, 0xff, 0x5a]) == "000ff0ff5a")
        let secret = HostCredentials.randomHex()
        #expect(secret.count == 64)
        #expect(secret.allSatisfy { "0123456789abcdef".contains($0) })
    }
}
