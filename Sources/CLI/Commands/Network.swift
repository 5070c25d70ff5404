import ArgumentParser
import JoistAPI
import JoistCore
import Networking

/// `joist network create|list|info|delete|forward`: the virtual networks instances' NICs join.
struct NetworkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network", abstract: "Manage networks: NAT, host-only and bridged networks for instances.",
        subcommands: [Create.self, List.self, Info.self, Delete.self, NetworkForwardCommand.self])

    /// `joist network create NAME --type nat|isolated|bridge [--subnet CIDR] [--parent IFACE [--vlan ID]] [--description TEXT]`
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a network (global admins).",
            discussion: """
                nat: a bridge of its own with DHCP and DNS (instances resolve as NAME.NETWORK.joist), \
                masqueraded to the host's other interfaces. isolated: the same without a way out; guests \
                reach each other and the host only. Without --subnet, a free 10.X.Y.0/24 is chosen that \
                overlaps no host route and no other network. bridge: instances join the host interface or \
                bridge named by --parent (the LAN), whose own router hands out addresses; only the local \
                administrator may create one. With --vlan, a bridge network sits on that 802.1Q VLAN of \
                its parent: Joist makes the VLAN interface and a bridge for it (the host kernel needs \
                802.1Q support; without it the network is refused). NICs carry VLANs of their own with \
                --nic network=NAME,vlan=10 or tagged=10:20.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Network name.") var name: String
        @Option(help: "Type: nat, isolated or bridge.") var type: NetworkKind
        @Option(
            help: "The subnet of a nat or isolated network, e.g. 10.20.30.0/24 (/16 to /29).",
            transform: { try IPv4Subnet(parsing: $0) })
        var subnet: IPv4Subnet?
        @Option(help: "The host interface or bridge a bridge network joins, e.g. br0.") var parent: String?
        @Option(help: "The 802.1Q VLAN (1-4094) of --parent a bridge network sits on.") var vlan: Int?
        @Option(help: "What the network is for.") var description: String?

        var request: NetworkCreate {
            NetworkCreate(name: name, type: type, subnet: subnet, parent: parent, vlan: vlan, description: description)
        }

        func run() async throws {
            let info = try await global.client().call(.POST, "/1.0/networks", body: request, as: NetworkInfo.self)
            print("Created network \(info.config.name) (\(Self.summary(info)))")
        }

        /// `nat, 10.20.30.0/24 on jb-…`, `bridge to br0` or `bridge to VLAN 10 of eth0 on jb-…`.
        static func summary(_ info: NetworkInfo) -> String {
            if let vlan = info.config.vlan, let parent = info.config.parent {
                return "\(info.config.kind.rawValue) to VLAN \(vlan) of \(parent) on \(info.bridge)"
            }
            guard let subnet = info.config.subnet else { return "\(info.config.kind.rawValue) to \(info.bridge)" }
            return "\(info.config.kind.rawValue), \(subnet) on \(info.bridge)"
        }
    }

    /// `joist network list`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List networks.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Output format: table, json, yaml or csv.") var format: OutputFormat = .table

        func run() async throws {
            let networks: [NetworkInfo] = try await global.client().all("/1.0/networks")
            print(try Self.render(networks, as: format), terminator: "")
        }

        static func render(_ networks: [NetworkInfo], as format: OutputFormat) throws -> String {
            switch format {
            case .json, .yaml:
                return try OutputFormat.structured(networks, as: format)
            case .table, .csv:
                let table = Table(
                    headers: ["NAME", "TYPE", "SUBNET", "GATEWAY", "BRIDGE", "USED-BY", "DESCRIPTION"],
                    rows: networks.map { info in
                        [
                            info.config.name, info.config.kind.rawValue, info.config.subnet.map { "\($0)" } ?? "-",
                            info.gateway.map { "\($0)" } ?? "-", info.bridge, String(info.usedBy.count),
                            info.config.description.isEmpty ? "-" : info.config.description,
                        ]
                    })
                return format == .csv ? table.csv() : table.aligned()
            }
        }
    }

    /// `joist network info NAME`
    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "info", abstract: "Show a network's addresses and the instances on it.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Network name.") var name: String
        @Option(help: "Output format: text, json or yaml.") var format: OutputFormat = .table

        func run() async throws {
            let info = try await global.client().call(.GET, "/1.0/networks/\(APIClient.segment(name))", as: NetworkInfo.self)
            switch format {
            case .json, .yaml: print(try OutputFormat.structured(info, as: format), terminator: "")
            default: print(Self.text(info), terminator: "")
            }
        }

        static func text(_ info: NetworkInfo) -> String {
            let config = info.config
            var lines = [
                "Name: \(config.name)",
                "Type: \(config.kind.rawValue)",
                "Description: \(config.description.isEmpty ? "-" : config.description)",
            ]
            if let parent = config.parent { lines.append("Parent: \(parent)") }
            if let vlan = config.vlan { lines.append("VLAN: \(vlan)") }
            if config.parent == nil || config.vlan != nil { lines.append("Bridge: \(info.bridge)") }
            if let subnet = config.subnet { lines.append("Subnet: \(subnet)") }
            if let gateway = info.gateway { lines.append("Gateway: \(gateway)") }
            if let range = info.dhcpRange { lines.append("DHCP range: \(range.first) - \(range.last)") }
            if config.kind.isHosted, let layout = try? NetworkLayout(config) { lines.append("DNS domain: \(layout.domain)") }
            lines.append("Used by:" + (info.usedBy.isEmpty ? " -" : ""))
            lines += info.usedBy.map { "  \($0.name)" + ($0.project == Project.defaultName ? "" : " (project \($0.project))") }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// `joist network delete NAME…`
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete networks that no instance uses.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Network names.") var names: [String]

        func run() async throws {
            let client = global.client()
            try await forEachName(names) { try await client.send(.DELETE, "/1.0/networks/\(APIClient.segment($0))") }
        }
    }
}

extension NetworkKind: ExpressibleByArgument {}
