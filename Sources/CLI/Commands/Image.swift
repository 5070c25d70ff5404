import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

/// `joist image import|list|info|delete|alias`: the daemon's image store, shared by every project.
struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image", abstract: "Manage images: disk and ISO files volumes and instances are made from.",
        discussion: """
            An image is named by the SHA-256 of the bytes imported (its fingerprint) and by any number of \
            unique aliases. IMAGE below is an alias, a fingerprint, or a fingerprint prefix of at least 12 \
            digits. Importing, building, aliasing and deleting need a global admin.
            """,
        subcommands: [Import.self, Build.self, List.self, Info.self, Delete.self, Alias.self])

    /// The API path of an image.
    static func path(_ image: String) -> String { "/1.0/images/\(APIClient.segment(image))" }

    /// `joist image list`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List images.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Output format: table, json, yaml or csv.") var format: OutputFormat = .table

        func run() async throws {
            let images: [Image] = try await global.client().all("/1.0/images")
            print(try Self.render(images, as: format), terminator: "")
        }

        static func render(_ images: [Image], as format: OutputFormat) throws -> String {
            switch format {
            case .json, .yaml:
                return try OutputFormat.structured(images, as: format)
            case .table, .csv:
                let table = Table(
                    headers: ["ALIASES", "FINGERPRINT", "TYPE", "FORMAT", "SIZE", "FILE-SIZE", "USED-BY", "CREATED"],
                    rows: images.map { image in
                        [
                            image.aliases.isEmpty ? "-" : image.aliases.joined(separator: " "),
                            format == .csv ? image.fingerprint : String(image.fingerprint.prefix(12)), image.type.rawValue,
                            image.format.rawValue, Human.bytes(image.virtualSize.bytes), Human.bytes(image.fileSize),
                            String(image.usedBy.count), image.createdAt.formatted(.iso8601),
                        ]
                    })
                return format == .csv ? table.csv() : table.aligned()
            }
        }
    }

    /// `joist image info IMAGE`
    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "info", abstract: "Show an image: fingerprint, aliases, format, sizes and the volumes made from it.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Alias, fingerprint or fingerprint prefix.") var image: String
        @Option(help: "Output format: text, json or yaml.") var format: OutputFormat = .table

        func run() async throws {
            let found = try await global.client().call(.GET, ImageCommand.path(image), as: Image.self)
            switch format {
            case .json, .yaml: print(try OutputFormat.structured(found, as: format), terminator: "")
            default: print(Self.text(found), terminator: "")
            }
        }

        static func text(_ image: Image) -> String {
            let imported = image.sourceFormat.rawValue == image.format.rawValue ? "" : " (imported as \(image.sourceFormat.rawValue))"
            return [
                "Fingerprint: \(image.fingerprint)",
                "Aliases: \(image.aliases.isEmpty ? "-" : image.aliases.joined(separator: ", "))",
                "Type: \(image.type.rawValue)",
                "Format: \(image.format.rawValue)\(imported)",
                "Virtual size: \(image.virtualSize)",
                "File size: \(Human.bytes(image.fileSize))",
                "Created: \(image.createdAt.formatted(.iso8601))",
                "Used by: \(image.usedBy.isEmpty ? "-" : image.usedBy.map(\.description).joined(separator: ", "))",
            ].joined(separator: "\n") + "\n"
        }
    }

    /// `joist image delete IMAGE…`
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Delete images (refused while volumes are made from them).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Aliases, fingerprints or fingerprint prefixes.") var images: [String]

        func run() async throws {
            let client = global.client()
            try await forEachName(images) { try await client.send(.DELETE, ImageCommand.path($0)) }
        }
    }

    /// `joist image alias add|remove`
    struct Alias: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "alias",
            abstract: "Name images: aliases are unique, and an image may have several.", subcommands: [Add.self, Remove.self])

        /// `joist image alias add IMAGE NAME`
        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "add", abstract: "Give an image another name.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "Alias, fingerprint or fingerprint prefix.") var image: String
            @Argument(help: "The new alias.") var name: String

            func run() async throws {
                let body = ImageAliasCreate(name: name)
                let named = try await global.client().call(.POST, ImageCommand.path(image) + "/aliases", body: body, as: Image.self)
                print("Image \(named.fingerprint.prefix(12)) is also called \(name)")
            }
        }

        /// `joist image alias remove NAME`
        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove an alias (the image stays).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The alias.") var name: String

            func run() async throws {
                try await global.client().send(.DELETE, ImageCommand.path(name) + "/aliases/\(APIClient.segment(name))")
            }
        }
    }
}
