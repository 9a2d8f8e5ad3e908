import Foundation
import StewardAPI
import Testing
@testable import StewardAgent

@Suite struct ConfigRendererTests {
    @Test("properties: one sorted line per key; backslash, newline and carriage return escaped")
    func properties() {
        let data = ConfigRenderer.render(.properties, values: ["b.path": #"C:\data"#, "a.motd": "two\nlines", "c": "x\ry", "d": ""])
        #expect(String(decoding: data, as: UTF8.self) == #"""
            a.motd=two\nlines
            b.path=C:\\data
            c=x\ry
            d=

            """#)
        #expect(String(decoding: ConfigRenderer.render(.properties, values: [:]), as: UTF8.self) == "\n")
    }

    @Test("json: the values as an object, keys sorted, readable by the role as written")
    func json() throws {
        let values = ["port": "21101", "name": "a \"quoted\" name", "empty": ""]
        let data = ConfigRenderer.render(.json, values: values)
        #expect(try JSONDecoder().decode([String: String].self, from: data) == values)
        let text = String(decoding: data, as: UTF8.self)
        let order = ["empty", "name", "port"].compactMap { text.range(of: "\"\($0)\"")?.lowerBound }
        #expect(order.count == 3 && order == order.sorted(), "\(text)")
        #expect(text.contains("\n"), "pretty-printed for the operator who opens it")
    }

    @Test("substitute: {name} from the extras first, then the values; unknown or unclosed stay as written")
    func substitute() {
        let argv = ConfigRenderer.substitute(
            ["{steward}", "--port={port}", "{a}{b}", "{missing}", "x{y", "{}", "plain"],
            values: ["port": "80", "a": "1", "b": "2", "steward": "not this"],
            extra: ["steward": "/usr/bin/steward"])
        #expect(argv == ["/usr/bin/steward", "--port=80", "12", "{missing}", "x{y", "{}", "plain"])
    }

    @Test("write: the file whole, readable by its owner only, replacing an older one; read gives the values back")
    func writeAndRead() throws {
        let dir = NSTemporaryDirectory() + "steward-render-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/role.json"
        try "old".write(toFile: path, atomically: true, encoding: .utf8)
        try ConfigRenderer.write(ConfigFileSpec(name: "role.json", format: .json), values: ["port": "1"], to: path)

        #expect(ConfigRenderer.read(json: path) == ["port": "1"])
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(permissions?.intValue == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["role.json"], "no temporary file left")
        #expect(ConfigRenderer.read(json: dir + "/absent.json").isEmpty)
    }
}
