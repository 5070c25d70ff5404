import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// Two real test guests on one `nat` network, through joistd and the joist CLI. The daemon runs in a
/// network namespace of its own (`DaemonHarness`), so the bridge, taps, firewall and dnsmasq it makes
/// exist only there.
@Suite("Guests on a network (real QEMU)", .bootsGuests(2), .serialized, .timeLimit(.minutes(15)))
struct GuestNetworkTests {
    @Test("two guests on a nat network get addresses from its DHCP server and reach each other and the gateway")
    func guestsReachEachOther() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            try await joist.succeed(["network", "create", "lan", "--type", "nat", "--subnet", "10.77.0.0/24"])
            let consoles = try await joist.bootGuests([("vm1", ["network=lan"]), ("vm2", ["network=lan,ip=10.77.0.12"])], from: guest)
            defer { Task { await joist.close(consoles) } }
            let (vm1, vm2) = (consoles[0], consoles[1])

            let first = try #require(await vm1.lease(), "\(vm1.output)\n\(joist.daemonLog())")
            #expect(first.hasPrefix("10.77.0.") && first != "10.77.0.12", "\(first)")
            #expect(await vm2.lease() == "10.77.0.12", "\(vm2.output)")
            #expect(await vm1.ping("10.77.0.12", marker: "P"), "\(vm1.output)")
            #expect(await vm2.ping(first, marker: "P"), "\(vm2.output)")
            #expect(await vm1.ping("10.77.0.1", marker: "G"), "\(vm1.output)")
            #expect(await vm2.ping("10.77.0.1", marker: "G"), "\(vm2.output)")

            let refused = try await joist.cli(["network", "delete", "lan"])
            #expect(refused.stderr.contains("network lan is used by 2 instance(s)"), "\(refused)")
            try await joist.succeed(["delete", "vm1", "--force"])
            try await joist.succeed(["delete", "vm2", "--force"])
            try await joist.succeed(["network", "delete", "lan"])
        }
    }
}
