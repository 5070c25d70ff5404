import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// Guests on VLANs of one network, through joistd and the joist CLI: the bridge keeps VLANs apart.
/// It needs a kernel with bridge VLAN filtering; elsewhere joistd refuses VLAN NICs
/// (`VLANRefusalTests`) and this suite is skipped, saying why.
@Suite(
    "Guests on VLANs (real QEMU)", .bootsGuests(3), .serialized, .timeLimit(.minutes(15)),
    .enabled(
        if: KernelVLANs.bridgeFiltering,
        "this host's kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING), so guests on VLANs cannot be kept apart here"))
struct GuestVLANTests {
    @Test("two guests with the same VLAN tag reach each other; a guest with another tag reaches neither")
    func sameTagOnly() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            try await joist.succeed(["network", "create", "lab", "--type", "isolated", "--subnet", "10.79.0.0/24"])
            let guests = [("vm1", 10, "10.79.0.11"), ("vm2", 10, "10.79.0.12"), ("vm3", 20, "10.79.0.13")]
            var consoles: [ConsoleProcess] = []
            defer { for console in consoles { Task { await console.close() } } }
            for (name, vlan, _) in guests {
                try await joist.createGuest(name, guest: guest, extra: ["--nic", "network=lab,vlan=\(vlan)"])
                try await joist.succeed(["start", name])
                consoles.append(try ConsoleProcess(harness: joist, instance: name))
            }
            for (index, (name, _, address)) in guests.enumerated() {
                #expect(try await joist.waitForConsole(name, containing: TestGuest.readyMarker), "\(joist.daemonLog())")
                // The host's DHCP server serves the untagged VLAN only: VLAN guests get fixed addresses.
                consoles[index].send("ifconfig eth0 \(address) netmask 255.255.255.0 up; echo U$?Z\n")
                #expect(await consoles[index].waitFor("U0Z"), "\(consoles[index].output)")
            }
            #expect(await Self.ping("10.79.0.12", from: consoles[0], marker: "S") == 0, "\(consoles[0].output)")
            #expect(await Self.ping("10.79.0.11", from: consoles[1], marker: "S") == 0, "\(consoles[1].output)")
            #expect(await Self.ping("10.79.0.11", from: consoles[2], marker: "D") == 1, "\(consoles[2].output)")
            #expect(await Self.ping("10.79.0.13", from: consoles[0], marker: "D") == 1, "\(consoles[0].output)")
            for (name, _, _) in guests { try await joist.succeed(["delete", name, "--force"]) }
            try await joist.succeed(["network", "delete", "lab"])
        }
    }

    /// The exit status of one ping from the guest to `address` (0: answered, 1: not), or nil when the guest
    /// never said; `marker` tells this check's answer from the others' on the same console.
    private static func ping(_ address: String, from console: ConsoleProcess, marker: String) async -> Int? {
        console.send("ping -c 1 -W 3 \(address) >/dev/null 2>&1; echo \(marker)$?\(address)Z\n")
        let answer = try? Regex("\(marker)([0-9]+)\(address.replacingOccurrences(of: ".", with: "\\."))Z")
        guard let answer, await eventually(timeout: .seconds(60), { console.output.firstMatch(of: answer) != nil }) else { return nil }
        return console.output.firstMatch(of: answer).flatMap { ($0.output[1].substring).flatMap { Int($0) } }
    }
}
