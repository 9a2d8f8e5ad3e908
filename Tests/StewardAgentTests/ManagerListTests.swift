import Foundation
import Logging
import Testing
@testable import StewardAgent

/// `--manager URL1,URL2,URL3`: read strictly, and walked round robin, one move per dead manager.
@Suite struct ManagerListTests {
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    @Test("one URL or several, comma-separated, trimmed, without a trailing slash")
    func parse() throws {
        #expect(try ManagerURLs.parse("http://127.0.0.1:9443/") == ["http://127.0.0.1:9443"])
        #expect(try ManagerURLs.parse("http://a:1, https://b:2/ ,http://c:3")
                == ["http://a:1", "https://b:2", "http://c:3"])
    }

    @Test("refused: an empty entry, a URL that is not http(s) with a host, a repeat", arguments: [
        "", "http://a:1,", "http://a:1,,http://b:2", "ftp://a:1", "a:1", "http://", "http://a:1,http://a:1/",
    ])
    func refused(_ text: String) {
        #expect(throws: ManagerURLs.Invalid.self) { try ManagerURLs.parse(text) }
    }

    @Test("a move goes to the next one, round robin; loops that saw the same manager fail move it once")
    func moves() {
        let list = ManagerList(["http://a:1", "http://b:2", "http://c:3"], logger: logger)
        let first = list.current
        #expect(first.url == "http://a:1")
        #expect(list.moveOn(from: first.generation, reason: "refused"))
        #expect(!list.moveOn(from: first.generation, reason: "the heartbeat saw it too"))
        #expect(list.current.url == "http://b:2")
        list.moveOn(from: list.current.generation, reason: "refused")
        list.moveOn(from: list.current.generation, reason: "refused")
        #expect(list.current.url == "http://a:1")
    }

    @Test("the config file names several managers as a string or a JSON list")
    func configFile() throws {
        let path = NSTemporaryDirectory() + "steward-agent-config-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(#"{"manager": ["http://a:1", "http://b:2"], "host": "h"}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try AgentConfigFile.load(path).manager == "http://a:1,http://b:2")
        try Data(#"{"manager": "http://a:1,http://b:2"}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try ManagerURLs.parse(try #require(try AgentConfigFile.load(path).manager)) == ["http://a:1", "http://b:2"])
        try Data(#"{"manager": 7}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: AgentConfigFile.Invalid.self) { try AgentConfigFile.load(path) }
    }
}
