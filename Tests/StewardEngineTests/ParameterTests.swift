import StewardAPI
import StewardEngine
import Testing

@Suite("ParameterDefinition")
struct ParameterTests {
    let port = ParameterDefinition(name: "port", type: .port, defaultValue: "21100", description: "")
    let int = ParameterDefinition(name: "replication", type: .int, defaultValue: "3", description: "", min: 1, max: 3)
    let unbounded = ParameterDefinition(name: "n", type: .int, defaultValue: "0", description: "")
    let bool = ParameterDefinition(name: "flag", type: .bool, defaultValue: "false", description: "")
    let level = ParameterDefinition(name: "log_level", type: .enumeration, defaultValue: "INFO", description: "",
                                    allowed: ["DEBUG", "INFO"])
    let text = ParameterDefinition(name: "motd", type: .string, defaultValue: "", description: "", maxLength: 5)
    let secret = ParameterDefinition(name: "secret", type: .password, defaultValue: "", description: "")

    @Test(arguments: ["1024", "65535", "21100", " 8080", "8080\t"])
    func validPorts(_ value: String) {
        #expect(port.validate(value) == nil)
    }

    @Test(arguments: ["1023", "65536", "0", "-1", "", "http", "80a", "8080.0", "99999999999999999999"])
    func invalidPorts(_ value: String) {
        #expect(port.validate(value) != nil)
    }

    @Test func portBoundsAndValidity() {
        #expect(port.effectiveMin == 1024)
        #expect(port.effectiveMax == 65535)
        #expect(port.validity == "integer 1024-65535")
        #expect(port.validate("1023")?.contains("port") == true)
        // A narrowed port range replaces the default one.
        let narrow = ParameterDefinition(name: "p", type: .port, defaultValue: "30000", description: "", min: 30000, max: 30010)
        #expect(narrow.validate("30010") == nil)
        #expect(narrow.validate("30011") != nil)
        #expect(narrow.validate("2000") != nil)
    }

    @Test func intRanges() {
        #expect(int.validate("1") == nil)
        #expect(int.validate("3") == nil)
        #expect(int.validate("0") == "replication must be integer 1-3, got 0")
        #expect(int.validate("4") != nil)
        #expect(int.validate("two")?.contains("must be an integer") == true)
        #expect(int.validate("99999999999999999999") != nil)
        #expect(unbounded.validate("-99999") == nil)
        #expect(unbounded.validate(String(Int.max)) == nil)
        #expect(unbounded.validate("99999999999999999999") != nil)
        #expect(unbounded.effectiveMin == nil && unbounded.effectiveMax == nil)
        #expect(unbounded.validity == "integer")
        let lower = ParameterDefinition(name: "x", type: .int, defaultValue: "0", description: "", min: 0)
        #expect(lower.validity == "integer >= 0")
        #expect(lower.validate("-1") != nil)
        let upper = ParameterDefinition(name: "x", type: .int, defaultValue: "0", description: "", max: 9)
        #expect(upper.validity == "integer <= 9")
        #expect(upper.validate("10") != nil)
    }

    @Test func bools() {
        #expect(bool.validate("true") == nil)
        #expect(bool.validate("false") == nil)
        for bad in ["True", "FALSE", "1", "0", "yes", "", " true"] {
            #expect(bool.validate(bad) != nil, "\(bad) accepted")
        }
    }

    @Test func enums() {
        #expect(level.validate("DEBUG") == nil)
        #expect(level.validate("INFO") == nil)
        #expect(level.validate("debug") != nil)
        #expect(level.validate("TRACE") == "log_level must be one of DEBUG, INFO, got 'TRACE'")
        #expect(level.validate("") != nil)
        let none = ParameterDefinition(name: "e", type: .enumeration, defaultValue: "", description: "")
        #expect(none.validate("") != nil)
    }

    @Test func strings() {
        #expect(text.validate("") == nil)
        #expect(text.validate("hello") == nil)
        #expect(text.validate("hello!") == "motd must be at most 5 characters")
        #expect(text.validate("a\nb") == "motd must be a single line of text")
        #expect(text.validate("a\rb") != nil)
        #expect(text.validate("a\0b") != nil)
        #expect(text.validate("a b\t") == nil)
        #expect(secret.validate(String(repeating: "x", count: 4096)) == nil)
        #expect(secret.validate(String(repeating: "x", count: 4097)) != nil)
        #expect(secret.validate("two\nlines") != nil)
    }

    @Test func normalizeTrimsNumbersOnly() {
        #expect(port.normalize("  8080\t") == "8080")
        #expect(int.normalize(" 2 ") == "2")
        #expect(text.normalize(" hi ") == " hi ")
        #expect(level.normalize(" INFO") == " INFO")
        #expect(bool.normalize("true") == "true")
    }
}
