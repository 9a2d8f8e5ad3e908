#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import StewardClient
import StewardAPI

/// `steward login`: checks the credentials against the manager, then keeps them.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login", abstract: "Log in to a manager and keep the credentials (0600) for the other commands.")
    @OptionGroup var client: ClientOptions

    func run() async throws {
        var options = client
        if options.passwordFile == nil, ProcessInfo.processInfo.environment["STEWARD_PASSWORD"] == nil {
            options.passwordFile = try Self.promptPassword()
        }
        let checked = options
        try await reportingRefusals {
            try await checked.run { api in
                try await api.ping()
                let password = try checked.passwordFile.map { try String(contentsOfFile: $0, encoding: .utf8).trimmingCharacters(in: .newlines) }
                    ?? ProcessInfo.processInfo.environment["STEWARD_PASSWORD"] ?? ""
                let user = checked.user ?? ProcessInfo.processInfo.environment["STEWARD_USER"] ?? "admin"
                try Credentials(manager: api.baseURL, user: user, password: password, caFile: checked.caFile).save()
                print("logged in to \(api.baseURL) as \(user); credentials kept in \(Credentials.path)")
            }
        }
        if let temp = options.passwordFile, temp != client.passwordFile { try? FileManager.default.removeItem(atPath: temp) }
    }

    /// Reads a password from the terminal without echo, into a 0600 temporary file.
    static func promptPassword() throws -> String {
        FileHandle.standardError.write(Data("Password: ".utf8))
        var saved = termios()
        let isTTY = isatty(STDIN_FILENO) == 1
        if isTTY {
            tcgetattr(STDIN_FILENO, &saved)
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
        }
        let line = readLine(strippingNewline: true) ?? ""
        if isTTY {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        let path = NSTemporaryDirectory() + "steward-login-\(getpid())"
        guard FileManager.default.createFile(atPath: path, contents: Data(line.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot keep the password")
        }
        return path
    }
}
