import ArgumentParser
import JoistAPI

extension NICCommand {
    /// `joist nic list INSTANCE [--format table|json|yaml|csv]`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List an instance's NICs with their networks, MACs and addresses.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Option(help: "Output format: table, json, yaml or csv.") var format: OutputFormat = .table

        func run() async throws {
            let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))")
            let found = try await global.client().call(.GET, path, as: Instance.self)
            print(try Self.render(found.nics, as: format), terminator: "")
        }

        static func render(_ nics: [InstanceNIC], as format: OutputFormat) throws -> String {
            switch format {
            case .json, .yaml:
                return try OutputFormat.structured(nics, as: format)
            case .table, .csv:
                let table = Table(
                    headers: ["NAME", "NETWORK", "MAC", "RESERVED-IP", "IPV4"],
                    rows: nics.map { nic in
                        [
                            nic.name, nic.network ?? nic.mode.rawValue, nic.mac.map { "\($0)" } ?? "-", nic.ip.map { "\($0)" } ?? "-",
                            nic.addresses.isEmpty ? "-" : nic.addresses.map(\.description).joined(separator: ","),
                        ]
                    })
                return format == .csv ? table.csv() : table.aligned()
            }
        }
    }
}
