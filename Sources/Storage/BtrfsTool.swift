import HostKit
import JoistCore

/// The `btrfs` subvolume commands the btrfs driver uses.
struct BtrfsTool: Sendable {
    let executable: String?

    init(executable: String? = HostCommand.locate("btrfs")) {
        self.executable = executable
    }

    /// Maps to `btrfs subvolume create`.
    func createSubvolume(_ path: String) async throws {
        try await command(["subvolume", "create", path]).check("btrfs subvolume create")
    }

    /// Maps to `btrfs subvolume delete`.
    func deleteSubvolume(_ path: String) async throws {
        try await command(["subvolume", "delete", path]).check("btrfs subvolume delete")
    }

    /// A writable snapshot of `source` at `destination`. Maps to `btrfs subvolume snapshot`.
    func snapshot(_ source: String, to destination: String) async throws {
        try await command(["subvolume", "snapshot", source, destination]).check("btrfs subvolume snapshot")
    }

    private func command(_ arguments: [String]) throws(JoistError) -> HostCommand {
        guard let executable else {
            throw JoistError(.unsupported, "the btrfs tool is not installed: install btrfs-progs (scripts/install-deps)")
        }
        return HostCommand(executable, arguments)
    }
}
