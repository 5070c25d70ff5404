import ArgumentParser

/// `joist nic add|remove|list`: an instance's network interfaces, changed live on a running guest.
struct NICCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nic", abstract: "Add, remove and list an instance's NICs; a running guest gets or loses them at once.",
        discussion: """
            NICs are named eth0, eth1, … in the order they were added; a name stays with its NIC when \
            another NIC is removed (the guest names its interfaces itself). A NIC is also found by its \
            MAC address.
            """,
        subcommands: [Add.self, Remove.self, List.self])
}
