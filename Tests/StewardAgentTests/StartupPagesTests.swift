import Foundation
import StewardSystem
import Testing

/// Which mappings the agent gives back after starting, on smaps text of a real
/// agent (shortened), and the call itself on this test process.
@Suite struct StartupPagesTests {
    static let smaps = """
        55f7324f6000-55f73255c000 r--p 00000000 fd:01 1311 /opt/steward/steward
        Size:               1432 kB
        Rss:                1432 kB
        Anonymous:             0 kB
        VmFlags: rd mr mw me dw sd
        55f73255c000-55f733a11000 r-xp 00066000 fd:01 1311 /opt/steward/steward
        Rss:                6688 kB
        Anonymous:             0 kB
        55f733a11000-55f733d75000 r--p 0151b000 fd:01 1311 /opt/steward/steward
        Rss:                 768 kB
        Anonymous:           760 kB
        55f733d75000-55f733da0000 rw-p 0187f000 fd:01 1311 /opt/steward/steward
        Rss:                 168 kB
        Anonymous:           168 kB
        7f44e4000000-7f44e402d000 rw-p 00000000 00:00 0
        Rss:                 176 kB
        Anonymous:           176 kB
        7f44ef0ea000-7f44ef200000 r-xp 00028000 fd:01 77 /usr/lib/x86_64-linux-gnu/libc.so.6
        Rss:                1004 kB
        Anonymous:             0 kB
        7f44ef300000-7f44ef301000 r--p 00000000 fd:01 99 /tmp/a file with spaces (deleted)
        Anonymous:             0 kB
        """

    @Test("only the executable's never-written mappings are dropped: not relocated data, not libraries, not anonymous memory")
    func droppable() {
        let all = StartupPages.mappings(smaps: Self.smaps)
        #expect(all.count == 7)
        #expect(all[2].anonymousKiB == 760)
        #expect(all[3].writable && !all[2].writable)
        #expect(all[4].path == "")
        #expect(all[6].path == "/tmp/a file with spaces (deleted)")
        let dropped = StartupPages.droppable(all, executable: "/opt/steward/steward")
        #expect(dropped.map(\.start) == [0x55f7_324f_6000, 0x55f7_3255_c000])
        #expect(dropped.map(\.end) == [0x55f7_3255_c000, 0x55f7_33a1_1000])
    }

    @Test("release drops this process's executable pages, and the process runs on")
    func release() throws {
        func executableRssKiB() throws -> Int {
            let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            var total = 0, inExe = false
            for line in try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8).split(separator: "\n") {
                let fields = line.split(separator: " ", maxSplits: 5)
                if fields.first?.contains("-") == true, fields.count >= 5 {
                    inExe = fields.count == 6 && fields[5].trimmingCharacters(in: .whitespaces) == exe
                } else if inExe, fields.first == "Rss:", fields.count >= 2 {
                    total += Int(fields[1]) ?? 0
                }
            }
            return total
        }
        let before = try executableRssKiB()
        let advised = StartupPages.release()
        let after = try executableRssKiB()
        #expect(advised > 0)
        // Other tests run meanwhile and touch some pages again; far from all of them.
        #expect(after < before, "before \(before) KiB, after \(after) KiB")
    }
}
