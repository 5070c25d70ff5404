import ArgumentParser
import JoistAPI

extension NICCommand {
    /// `joist nic remove INSTANCE NIC`
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Remove a NIC from an instance; a running guest must release it first.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Argument(help: "The NIC: its name (eth0, eth1, …) or its MAC address.") var nic: String

        func run() async throws {
            let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/nics/\(APIClient.segment(nic))")
            _ = try await global.client().call(.DELETE, path, as: Instance.self)
            print("Removed NIC \(nic) from \(instance)")
        }
    }
}
