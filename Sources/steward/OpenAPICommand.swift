import ArgumentParser
import StewardManager

struct OpenAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi", abstract: "Print the OpenAPI 3 document of the manager's API (YAML).")

    func run() throws {
        print(Manager.openAPIDocument, terminator: "")
    }
}
