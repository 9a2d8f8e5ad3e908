import ArgumentParser
import Foundation
import StewardClient
import StewardAPI

/// `steward user ...`: user management, for admins.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage users (admin only).",
        subcommands: [List.self, Create.self, SetRole.self, ResetPassword.self, Delete.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users and their roles.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await reportingRefusals {
                try await client.run { api in
                    let users = try await api.users()
                    print("USER".padding(toLength: 24, withPad: " ", startingAt: 0) + "ROLE      MUST-CHANGE-PASSWORD")
                    for u in users {
                        print(u.userName.padding(toLength: 24, withPad: " ", startingAt: 0)
                              + u.role.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0) + (u.modifyPwd ? "yes" : "no"))
                    }
                }
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user. Without --new-password-file a password is generated and printed once.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The new user's name.") var name: String
        @Option(help: "admin, operator or viewer.") var role: String
        @Option(help: "File holding the initial password.") var newPasswordFile: String?

        func run() async throws {
            let password = try newPasswordFile.map { try String(contentsOfFile: $0, encoding: .utf8).trimmingCharacters(in: .newlines) }
            try await reportingRefusals {
                try await client.run { api in
                    let created = try await api.createUser(CreateUserRequest(userName: name, role: role, password: password))
                    print("created user \(name) (\(role)); the password must be changed at first login")
                    if let generated = created.initialPassword { print("initial password (shown once): \(generated)") }
                }
            }
        }
    }

    struct SetRole: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-role", abstract: "Change a user's role.")
        @OptionGroup var client: ClientOptions
        @Argument var name: String
        @Argument(help: "admin, operator or viewer.") var role: String

        func run() async throws {
            try await reportingRefusals {
                try await client.run { api in
                    _ = try await api.updateUser(name, UpdateUserRequest(role: role))
                    print("user \(name) is now \(role)")
                }
            }
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password", abstract: "Set a user's password; it must be changed at next login.")
        @OptionGroup var client: ClientOptions
        @Argument var name: String
        @Option(help: "File holding the new password.") var newPasswordFile: String

        func run() async throws {
            let password = try String(contentsOfFile: newPasswordFile, encoding: .utf8).trimmingCharacters(in: .newlines)
            try await reportingRefusals {
                try await client.run { api in
                    _ = try await api.updateUser(name, UpdateUserRequest(password: password))
                    print("password of \(name) reset; it must be changed at next login")
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user.")
        @OptionGroup var client: ClientOptions
        @Argument var name: String

        func run() async throws {
            try await reportingRefusals {
                try await client.run { api in
                    try await api.deleteUser(name)
                    print("removed user \(name)")
                }
            }
        }
    }
}
