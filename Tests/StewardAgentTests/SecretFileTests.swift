import Foundation
import Testing
import StewardSystem

@Suite struct SecretFileTests {
    private func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "secretfile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func createsTheFileWithMode0600EvenUnderAPermissiveUmask() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let old = umask(0)
        defer { umask(old) }
        try SecretFile.write("s3cret\n", to: dir + "/token")
        #expect(SecretFile.mode(of: dir + "/token") == 0o600)
        #expect(try String(contentsOfFile: dir + "/token", encoding: .utf8) == "s3cret\n")
    }

    @Test func replacesAnExistingFileAndLeavesNoTemporaryBehind() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = FileManager.default.createFile(atPath: dir + "/cfg", contents: Data("old".utf8),
                                       attributes: [.posixPermissions: 0o644])
        try SecretFile.write("new", to: dir + "/cfg")
        #expect(try String(contentsOfFile: dir + "/cfg", encoding: .utf8) == "new")
        #expect(SecretFile.mode(of: dir + "/cfg") == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["cfg"])
    }

    @Test func aFileThatNeedNotSurvivePowerLossIsStill0600AndAtomic() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let old = umask(0)
        defer { umask(old) }
        _ = FileManager.default.createFile(atPath: dir + "/process.json", contents: Data("old".utf8),
                                           attributes: [.posixPermissions: 0o644])
        try SecretFile.write(Array("{}".utf8), to: dir + "/process.json", durability: .survivesProcessCrash)
        #expect(try String(contentsOfFile: dir + "/process.json", encoding: .utf8) == "{}")
        #expect(SecretFile.mode(of: dir + "/process.json") == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["process.json"])
    }

    @Test func failsCleanlyWhereTheDirectoryIsMissing() {
        #expect(throws: SecretFile.Failure.self) {
            try SecretFile.write("x", to: "/nonexistent-\(UUID().uuidString)/f")
        }
    }
}
