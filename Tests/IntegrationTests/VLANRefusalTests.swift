import Foundation
import JoistTesting
import Testing

/// On a kernel without the VLAN features, joistd refuses VLAN configurations at the CLI with the
/// missing feature named, and creates nothing: no instance, no network, no link.
@Suite("VLANs refused where the kernel lacks them (real daemon)", .serialized, .timeLimit(.minutes(3)))
struct VLANRefusalTests {
    @Test(
        "an instance with a vlan= or tagged= NIC is refused at create, naming bridge VLAN filtering, and nothing is created",
        .enabled(if: !KernelVLANs.bridgeFiltering, "this host's kernel has bridge VLAN filtering, so VLAN NICs are accepted here"))
    func nicRefused() async throws {
        try await DaemonHarness.with { joist in
            try await joist.succeed(["network", "create", "lan", "--type", "nat", "--subnet", "10.79.0.0/24"])
            let kernel = joist.stateDirectory + "/vmlinuz"
            _ = FileManager.default.createFile(atPath: kernel, contents: Data("not a kernel".utf8))
            let links = try await Self.links(joist)
            for nic in ["network=lan,vlan=10", "network=lan,tagged=10:20"] {
                let result = try await joist.cli(["create", "vm", "--kernel", kernel, "--memory", "64MiB", "--nic", nic])
                #expect(!result.succeeded, "\(nic) must be refused")
                let vlan = nic.dropFirst("network=lan,".count)
                #expect(result.stderr.contains(
                    "this host's kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING); NIC eth0 of instance vm (\(vlan)) cannot be honoured"),
                    "\(result)")
            }
            #expect(try await joist.cli(["list", "--format", "csv"]).stdout == "NAME,STATE,IPV4,CPUS,MEMORY,ACCEL,PID,UPTIME\n")
            #expect(try await joist.succeed(["network", "info", "lan"]).contains("Used by: -"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: joist.stateDirectory + "/instances").isEmpty)
            #expect(try await Self.links(joist) == links, "no tap was made")
            // The same NIC without a VLAN is fine.
            try await joist.succeed(["create", "vm", "--kernel", kernel, "--memory", "64MiB", "--nic", "network=lan"])
        }
    }

    @Test(
        "a bridge network on a VLAN is refused at create, naming 802.1Q VLAN interfaces, and nothing is created",
        .enabled(if: !KernelVLANs.interfaces, "this host's kernel has 802.1Q VLAN interfaces, so VLAN networks are accepted here"))
    func networkRefused() async throws {
        try await DaemonHarness.with { joist in
            let links = try await Self.links(joist)
            let result = try await joist.cli(["network", "create", "lan10", "--type", "bridge", "--parent", "lo", "--vlan", "10"])
            #expect(!result.succeeded)
            #expect(result.stderr.contains(
                "this host's kernel has no 802.1Q VLAN interfaces (CONFIG_VLAN_8021Q, module 8021q); network lan10's vlan 10 cannot be honoured"),
                "\(result)")
            #expect(try await joist.cli(["network", "list", "--format", "csv"]).stdout.split(separator: "\n").count == 1)
            #expect(try await Self.links(joist) == links, "no bridge or VLAN link was made")
        }
    }

    /// The names of the links in the daemon's network namespace.
    private static func links(_ joist: DaemonHarness) async throws -> [String] {
        let result = try await joist.run("/usr/sbin/ip", ["-o", "link", "show"])
        try #require(result.succeeded, "\(result)")
        return result.stdout.split(separator: "\n").compactMap { $0.split(separator: ":").dropFirst().first }
            .map { $0.trimmingCharacters(in: .whitespaces) }.sorted()
    }
}
