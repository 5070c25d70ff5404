import Foundation

/// Whether this host's kernel has the VLAN features, found by trying them in a network namespace
/// of their own (`unshare --net`), independently of joistd's probe: tests that need a feature run
/// only where it exists, and the others check that joistd refuses what the kernel cannot do.
enum KernelVLANs {
    /// 802.1Q VLAN interfaces (CONFIG_VLAN_8021Q).
    static let interfaces = succeeds("ip link add name k type bridge && ip link add link k name k.10 type vlan id 10")

    /// Bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING), as the kernel reports it once set.
    static let bridgeFiltering = succeeds(
        "ip link add name k type bridge && ip link set dev k type bridge vlan_filtering 1 && ip -d link show dev k | grep -q 'vlan_filtering 1'")

    /// Whether `script` exits 0 in a throwaway network namespace.
    private static func succeeds(_ script: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["--net", "--", "/bin/sh", "-c", script]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return false
        }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
