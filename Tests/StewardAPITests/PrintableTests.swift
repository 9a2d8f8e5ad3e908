import Testing
import StewardClient

/// What the CLI prints of server-provided text can neither forge a line nor hide one.
@Suite struct PrintableTests {
    @Test func aNewlineCannotForgeALine() {
        let name = "eve\n2026-11-29T12:00:00Z SUCCESS admin from 127.0.0.1 USER_DELETE"
        #expect(!name.printable.contains("\n"))
        #expect(name.printable.hasPrefix("eve\\n2026"))
    }

    @Test(arguments: ["\u{1B}[2K\u{1B}[1A", "a\rb", "\u{7F}", "\u{9B}31m", "\u{202E}txt.exe", "zero\u{200B}width", "\u{FEFF}bom", "a\u{2028}b"])
    func controlAndInvisibleCharactersAreShownEscaped(text: String) {
        let shown = text.printable
        #expect(shown.unicodeScalars.allSatisfy { !(0...0x1F).contains($0.value) && !(0x7F...0x9F).contains($0.value) })
        #expect(!shown.unicodeScalars.contains { $0.properties.generalCategory == .format })
        #expect(shown.contains("\\"))
    }

    @Test func ordinaryTextIsUnchanged() {
        #expect("Gateway Server@host-1 ünïcødé 日本".printable == "Gateway Server@host-1 ünïcødé 日本")
        #expect("abc".column(5) == "abc  ")
    }

    @Test func outputBlocksKeepTheirLinesButNotTheirEscapes() {
        #expect("line 1\n\tline 2\u{1B}[31m".printableLines == "line 1\n\tline 2\\u{1B}[31m")
    }
}
