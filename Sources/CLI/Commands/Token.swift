import ArgumentParser
import Foundation
import JoistAPI

/// `joist token create|list|show|revoke`: bearer tokens for remote access.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage API tokens for remote access (admins).",
        subcommands: [Create.self, List.self, Show.self, Revoke.self])

    /// `joist token create NAME --role admin|operator|viewer [--project P] [--expires 30d]`
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a token and print its secret (shown only this once).",
            discussion: "With --project, the token works only in that project.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Token name.") var name: String
        @Option(help: "viewer (read), operator (manage instances) or admin (everything).") var role: Role
        @Option(help: "Lifetime such as 30d, 12h or 90m; default: no expiry.") var expires: String?
        @Option(help: "Output format: table (just the secret), json or yaml.") var format: OutputFormat = .table

        func run() async throws {
            let created = try await global.client().call(
                .POST, "/1.0/tokens", body: TokenCreate(name: name, role: role, project: global.project, expires: expires),
                as: TokenCreated.self)
            switch format {
            case .json, .yaml: print(try OutputFormat.structured(created, as: format), terminator: "")
            default:
                print(created.secret)
                FileHandle.standardError.write(Data("Token \(name) (\(role.rawValue)) created; the secret is not shown again.\n".utf8))
            }
        }
    }

    /// `joist token list`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List tokens.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Output format: table, json, yaml or csv.") var format: OutputFormat = .table

        func run() async throws {
            let tokens: [Token] = try await global.client().all("/1.0/tokens")
            switch format {
            case .json, .yaml: print(try OutputFormat.structured(tokens, as: format), terminator: "")
            case .table, .csv:
                let table = Table(
                    headers: ["NAME", "ROLE", "PROJECT", "CREATED", "EXPIRES", "CREATED BY"],
                    rows: tokens.map {
                        [
                            $0.name, $0.role.rawValue, $0.project ?? "(all)", $0.createdAt.formatted(.iso8601),
                            $0.expiresAt?.formatted(.iso8601) ?? "never", $0.createdBy,
                        ]
                    })
                print(format == .csv ? table.csv() : table.aligned(), terminator: "")
            }
        }
    }

    /// `joist token show NAME`
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one token (never its secret).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Token name.") var name: String
        @Option(help: "Output format: yaml or json.") var format: OutputFormat = .yaml

        func run() async throws {
            let token = try await global.client().call(.GET, "/1.0/tokens/\(APIClient.segment(name))", as: Token.self)
            print(try OutputFormat.structured(token, as: format == .json ? .json : .yaml), terminator: "")
        }
    }

    /// `joist token revoke NAME…`
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke", abstract: "Revoke tokens; requests carrying them fail at once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Token names.") var names: [String]

        func run() async throws {
            let client = global.client()
            try await forEachName(names) { try await client.send(.DELETE, "/1.0/tokens/\(APIClient.segment($0))") }
        }
    }
}

extension Role: ExpressibleByArgument {}
