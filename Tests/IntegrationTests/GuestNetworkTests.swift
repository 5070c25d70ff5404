import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// Two real test guests on one `nat` network, through joistd and the joist CLI. The daemon runs in a
/// network namespace of its own (`DaemonHarness`), so the bridge, taps, firewall and dnsmasq it makes
/// exist only there.
@Suite("Guests on a network (real QEMU)", .bootsGuests(2), .serialized, .timeLimit(.minutes(5)))
struct GuestNetworkTests {
    @Test("two guests on a nat network get addresses from its DHCP server and reach each other and the gateway")
    func guestsReachEachOther() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            try await joist.succeed(["network", "create", "lan", "--type", "nat", "--subnet", "10.77.0.0/24"])
            try await joist.createGuest("vm1", guest: guest, extra: ["--nic", "network=lan"])
            try await joist.createGuest("vm2", guest: guest, extra: ["--nic", "network=lan,ip=10.77.0.12"])
            try await joist.succeed(["start", "vm1"])
            try await joist.succeed(["start", "vm2"])
            let vm1 = try ConsoleProcess(harness: joist, instance: "vm1")
            defer { Task { await vm1.close() } }
            let vm2 = try ConsoleProcess(harness: joist, instance: "vm2")
            defer { Task { await vm2.close() } }
            for name in ["vm1", "vm2"] {
                #expect(try await joist.waitForConsole(name, containing: TestGuest.readyMarker), "\(joist.daemonLog())")
            }

            let first = try #require(await Self.lease(on: vm1), "\(vm1.output)\n\(joist.daemonLog())")
            #expect(first.hasPrefix("10.77.0.") && first != "10.77.0.12", "\(first)")
            #expect(await Self.lease(on: vm2) == "10.77.0.12", "\(vm2.output)")
            #expect(await Self.ping("10.77.0.12", from: vm1, marker: "P"), "\(vm1.output)")
            #expect(await Self.ping(first, from: vm2, marker: "P"), "\(vm2.output)")
            #expect(await Self.ping("10.77.0.1", from: vm1, marker: "G"), "\(vm1.output)")
            #expect(await Self.ping("10.77.0.1", from: vm2, marker: "G"), "\(vm2.output)")

            let refused = try await joist.cli(["network", "delete", "lan"])
            #expect(refused.stderr.contains("network lan is used by 2 instance(s)"), "\(refused)")
            try await joist.succeed(["delete", "vm1", "--force"])
            try await joist.succeed(["delete", "vm2", "--force"])
            try await joist.succeed(["network", "delete", "lan"])
        }
    }

    /// Asks the network's DHCP server for a lease on the guest's eth0 and returns the address the
    /// guest configured, if it got one.
    private static func lease(on console: ConsoleProcess) async -> String? {
        console.send("udhcpc -i eth0 -n -q -t 10 -T 1 >/dev/null 2>&1; echo D$?Z\n")
        guard await console.waitFor("D0Z") else { return nil }
        // The markers around the address never appear in the echoed command.
        console.send("echo A$(ifconfig eth0 | sed -n 's/.*inet addr:\\([0-9.]*\\).*/\\1/p')Z\n")
        // The answer may arrive in pieces: wait for the whole of it, up to its closing marker.
        let answer = #/A(10\.[0-9.]+)Z/#
        guard await eventually(timeout: .seconds(60), { console.output.firstMatch(of: answer) != nil }) else { return nil }
        return console.output.firstMatch(of: answer).map { String($0.1) }
    }

    /// Whether one ping from the guest to `address` is answered; `marker` tells this check's answer
    /// from the others' on the same console.
    private static func ping(_ address: String, from console: ConsoleProcess, marker: String) async -> Bool {
        console.send("ping -c 1 -W 5 \(address) >/dev/null 2>&1; echo \(marker)$?\(address)Z\n")
        return await console.waitFor("\(marker)0\(address)Z")
    }
}
