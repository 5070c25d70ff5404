import ArgumentParser
import JoistAPI
import JoistCore

extension NICCommand {
    /// `joist nic add INSTANCE network=NAME[,mac=…][,ip=…]`
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Add a NIC to an instance; a running guest sees the new interface at once.",
            discussion: """
                The NIC takes the form --nic takes: network=NAME[,mac=52:54:00:…][,ip=10.x.y.z] joins a Joist \
                network (a stable MAC is chosen when none is given; ip= reserves the address in the network's \
                DHCP server), user[,hostfwd=…] is QEMU's user-mode network.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Argument(help: "The NIC, e.g. network=lan or network=lan,ip=10.1.2.20.") var nic: String

        func run() async throws {
            let parsed = try NICSpec(parsing: nic)
            let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/nics")
            let updated = try await global.client().call(.POST, path, body: InstanceNICAdd(nic: parsed.description), as: Instance.self)
            let added = updated.nics.last.map { " as \($0.name)" + ($0.mac.map { " (MAC \($0))" } ?? "") } ?? ""
            print("Added NIC \(parsed) to \(instance)\(added)")
        }
    }
}
