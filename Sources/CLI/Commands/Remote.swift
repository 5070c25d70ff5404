import ArgumentParser
import Foundation
import JoistTLS

/// `joist remote add|list|remove|switch|show`: the joistd servers this CLI talks to.
struct Remote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote",
        abstract: "Manage remote joistd servers (HTTPS with a pinned certificate and a token).",
        discussion: "The remote 'local' is joistd's Unix socket on this machine; it is always there.",
        subcommands: [Add.self, List.self, Remove.self, Switch.self, Show.self])

    /// `joist remote add NAME https://HOST:PORT --token T [--fingerprint FP]`
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a remote: pin its certificate and check the token.",
            discussion: """
                Shows the server's certificate fingerprint; compare it with the one its administrator reads out \
                (openssl x509 -noout -fingerprint -sha256 -in server.crt), or pass it as --fingerprint to have it checked.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The remote's name, e.g. prod.") var name: String
        @Argument(help: "Its address, https://HOST:PORT.") var url: String
        @Option(help: "A bearer token from `joist token create` on that server; '-' reads it from stdin.") var token: String
        @Option(help: "The certificate's expected SHA-256 fingerprint; refuse the remote if it differs.") var fingerprint: String?

        func run() async throws {
            let token = self.token == "-" ? (readLine(strippingNewline: true) ?? "") : self.token
            try await RemoteEnrollment(store: ConfigStore.located())
                .add(name: name, url: url, token: token.trimmingCharacters(in: .whitespaces), expectedFingerprint: fingerprint)
        }
    }

    /// `joist remote list [--format table|json|yaml|csv]`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List remotes; DEFAULT marks the one used without --remote.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Output format: table, json, yaml or csv.") var format: OutputFormat = .table

        func run() async throws {
            let configuration = try ConfigStore.located().load()
            print(try Self.render(configuration, localSocket: global.selection().localSocket, as: format), terminator: "")
        }

        /// One row of the listing.
        struct Row: Encodable, Equatable {
            let name: String
            let url: String
            /// The full fingerprint; empty for `local`.
            let fingerprint: String
            let isDefault: Bool

            enum CodingKeys: String, CodingKey { case name, url, fingerprint, isDefault = "default" }
        }

        static func rows(_ configuration: RemoteConfiguration, localSocket: String) -> [Row] {
            configuration.allNames.map { name in
                let entry = configuration.remotes[name]
                return Row(
                    name: name, url: entry?.url ?? "unix://\(localSocket)", fingerprint: entry?.fingerprint ?? "",
                    isDefault: name == configuration.effectiveDefault)
            }
        }

        static func render(_ configuration: RemoteConfiguration, localSocket: String, as format: OutputFormat) throws -> String {
            let rows = Self.rows(configuration, localSocket: localSocket)
            switch format {
            case .json, .yaml:
                return try OutputFormat.structured(rows, as: format)
            case .table, .csv:
                let table = Table(
                    headers: ["NAME", "URL", "FINGERPRINT", "DEFAULT"],
                    rows: rows.map { row in
                        let fingerprint = CertificateFingerprint(parsing: row.fingerprint)
                        return [
                            row.name, row.url, (format == .csv ? fingerprint?.description : fingerprint?.abbreviated) ?? "-",
                            row.isDefault ? "*" : "",
                        ]
                    })
                return format == .csv ? table.csv() : table.aligned()
            }
        }
    }

    /// `joist remote remove NAME`
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Forget a remote, its token and its pinned certificate.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The remote's name.") var name: String

        func run() async throws {
            let wasDefault = try ConfigStore.located().update { configuration in
                try Remote.requireStored(name, in: configuration)
                configuration.remotes[name] = nil
                guard configuration.defaultRemote == name else { return false }
                configuration.defaultRemote = nil
                return true
            }
            if wasDefault { print("\(name) was the default remote; the default is now local.") }
        }
    }

    /// `joist remote switch NAME`
    struct Switch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "switch", abstract: "Make a remote the default (local for the Unix socket).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The remote's name, or local.") var name: String

        func run() async throws {
            try ConfigStore.located().update { configuration in
                if name != RemoteConfiguration.localName { try Remote.requireStored(name, in: configuration) }
                configuration.defaultRemote = name == RemoteConfiguration.localName ? nil : name
            }
            print("Default remote: \(name)")
        }
    }

    /// `joist remote show [NAME]`
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a remote; without a name, the one this command line would use.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The remote's name (default: the one --remote, JOIST_REMOTE or the default selects).") var name: String?

        func run() async throws {
            let configuration = try ConfigStore.located().load()
            let endpoint =
                try name.map { try global.selection().endpoint(named: $0, in: configuration) } ?? global.endpoint()
            print(Self.text(endpoint, configuration: configuration), terminator: "")
        }

        static func text(_ endpoint: APIEndpoint, configuration: RemoteConfiguration) -> String {
            switch endpoint {
            case .unixSocket(let path):
                return "Name: local\nURL: unix://\(path)\nDefault: \(configuration.defaultRemote == nil ? "yes" : "no")\n"
            case .remote(let remote):
                return """
                    Name: \(remote.name)
                    URL: \(remote.url)
                    Fingerprint: \(remote.fingerprint)
                    Default: \(configuration.defaultRemote == remote.name ? "yes" : "no")

                    """
            }
        }
    }

    /// Throws unless `name` is a stored remote, naming the known ones (and refusing `local`).
    static func requireStored(_ name: String, in configuration: RemoteConfiguration) throws {
        if name == RemoteConfiguration.localName {
            throw CLIError("the local remote is built in; it cannot be removed", code: "invalid_argument")
        }
        guard configuration.remotes[name] != nil else {
            throw CLIError(
                "no remote named \(name); known remotes: \(configuration.allNames.joined(separator: ", "))", code: "not_found")
        }
    }
}
