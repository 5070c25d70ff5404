import ArgumentParser
import JoistAPI
import JoistCore

/// `joist config show|set NAME`: read or change a stopped instance's configuration.
struct Config: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show or change an instance's configuration.", subcommands: [Show.self, Set.self])

    /// `joist config show NAME [--format yaml|json]`
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print an instance's configuration.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var name: String
        @Option(help: "Output format: yaml or json.") var format: OutputFormat = .yaml

        func run() async throws {
            let instance = try await global.client().call(.GET, global.scoped("/1.0/instances/\(APIClient.segment(name))"), as: Instance.self)
            print(try OutputFormat.structured(instance.config, as: format == .json ? .json : .yaml), terminator: "")
        }
    }

    /// `joist config set NAME key=value…`
    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Change settings of a stopped instance.",
            discussion: "Keys: " + InstanceSpec.settableKeys.map { "\($0.key) (\($0.help))" }.joined(separator: ", "))
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var name: String
        @Argument(help: "Settings as key=value; cloud-init.user-data=@FILE and cloud-init.ssh-keys=@FILE read the file.")
        var settings: [String]
        @Flag(help: "With cloud-init settings: give the guest a new instance-id, so its next boot applies them again.")
        var reapply = false

        func run() async throws {
            var pairs = try InstanceSpec.parseSettings(settings).map { pair in
                InstanceConfigPatch.Setting(key: pair.key, value: try Self.value(of: pair))
            }
            if reapply { pairs.append(.init(key: "cloud-init.reapply", value: "true")) }
            let client = global.client()
            // Send back the revision read, so a concurrent change is refused rather than overwritten.
            let etag = try await client.request(.GET, global.scoped("/1.0/instances/\(APIClient.segment(name))")).header("ETag")
            try await client.request(
                .PATCH, global.scoped("/1.0/instances/\(APIClient.segment(name))/config"), body: InstanceConfigPatch(settings: pairs),
                headers: etag.map { [("If-Match", $0)] } ?? [])
        }

        /// The value sent for `pair`: host paths made absolute, `@FILE` of cloud-init keys read here
        /// (the daemon may be on another host).
        static func value(of pair: (key: String, value: String)) throws -> String {
            switch pair.key {
            case "kernel", "initrd":
                return pair.value.isEmpty ? pair.value : Paths.absolute(pair.value)
            case "cloud-init.user-data" where pair.value.hasPrefix("@"):
                return try CloudInitOptions.read(String(pair.value.dropFirst()), what: "user-data")
            case "cloud-init.ssh-keys" where pair.value.hasPrefix("@"):
                return try CloudInitOptions.publicKeys(inFile: String(pair.value.dropFirst())).joined(separator: "\n")
            default:
                return pair.value
            }
        }
    }
}
