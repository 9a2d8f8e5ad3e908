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
        let env = ProcessInfo.processInfo.environment
        // A typed password stays in memory: no temporary file ever holds it.
        let typed = client.passwordFile == nil && env["STEWARD_PASSWORD"] == nil ? Self.promptPassword() : nil
        try await reportingRefusals {
            let who = try client.identity(typed: typed)
            try await client.run(typed: typed) { api in
                try await api.ping()
                try Credentials(manager: api.baseURL, user: who.user, password: who.password, caFile: client.caFile).save()
                print("logged in to \(api.baseURL) as \(who.user); credentials kept in \(Credentials.path)")
            }
        }
    }

    /// Reads a password from the terminal without echo.
    static func promptPassword() -> String {
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
        return line
    }
}
