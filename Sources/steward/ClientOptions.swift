import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOSSL
import StewardClient
import StewardAPI

/// A watched command ended FAILED: exit status 2, after its report.
struct CommandFailed: Error {
    let report: String
}

/// How a client subcommand reaches the manager and who it is.
/// The password comes from a file or STEWARD_PASSWORD, never from the command line.
struct ClientOptions: ParsableArguments {
    @Option(help: "The manager's URL (else STEWARD_MANAGER, else http://127.0.0.1:9443).")
    var manager: String?

    @Option(help: "User name (else STEWARD_USER, else admin).")
    var user: String?

    @Option(help: "File holding the password (else STEWARD_PASSWORD).")
    var passwordFile: String?

    @Option(help: "PEM file of the CAs the manager's certificate must chain to.")
    var caFile: String?

    @Option(help: "The cluster (else the first the manager lists).")
    var cluster: Int?

    @Flag(help: "Print JSON, for scripts.")
    var json = false

    /// Who the subcommand is and where it goes: flags first, then the
    /// environment, then what `steward login` saved; `typed` is a password
    /// read from the terminal, kept in memory only.
    func identity(typed: String? = nil) throws -> (manager: String, user: String, password: String) {
        let env = ProcessInfo.processInfo.environment
        let saved = Credentials.load()
        let password: String
        if let typed {
            password = typed
        } else if let passwordFile {
            password = try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .newlines)
        } else if let fromEnv = env["STEWARD_PASSWORD"] {
            password = fromEnv
        } else if let saved {
            password = saved.password
        } else {
            throw ValidationError("not logged in: run 'steward login', or give --password-file or STEWARD_PASSWORD")
        }
        let url = manager ?? env["STEWARD_MANAGER"] ?? saved?.manager ?? "http://127.0.0.1:9443"
        return (url, user ?? env["STEWARD_USER"] ?? saved?.user ?? "admin", password)
    }

    func client(typed: String? = nil) throws -> (StewardClient, HTTPClient) {
        let who = try identity(typed: typed)
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = caFile ?? Credentials.load()?.caFile { tls.trustRoots = .file(caFile) }
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        return (StewardClient(baseURL: who.manager, user: who.user, password: who.password, http: http), http)
    }

    /// Prints a value as JSON, or as the given text.
    func output<T: Encodable>(_ value: T, text: () -> String) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(value), as: UTF8.self))
        } else {
            print(text(), terminator: "")
        }
    }

    /// The cluster a subcommand acts on: `--cluster`, else the first the manager lists.
    func clusterId(_ api: StewardClient) async throws -> Int {
        if let cluster { return cluster }
        guard let first = try await api.clusters().first else {
            throw Refusal(status: 404, code: -1, message: "the manager lists no cluster")
        }
        return first.id
    }

    /// Runs a call; a refusal is printed with its code and description, exit 1.
    func run(typed: String? = nil, _ body: (StewardClient) async throws -> Void) async throws {
        let (client, http) = try client(typed: typed)
        do {
            try await body(client)
            try await http.shutdown()
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}

/// Prints a refusal the way an operator reads it, with exit status 1, never a trace.
func reportingRefusals(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let refused as Refusal {
        FileHandle.standardError.write(Data("\(String(describing: refused).printable)\n".utf8))
        throw ExitCode(1)
    } catch let failed as CommandFailed {
        FileHandle.standardError.write(Data(failed.report.utf8))
        throw ExitCode(2)
    } catch let unexpected as StewardClient.UnexpectedBody {
        FileHandle.standardError.write(Data("error: \(String(describing: unexpected).printable)\n".utf8))
        throw ExitCode(1)
    }
}
