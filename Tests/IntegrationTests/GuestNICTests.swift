import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// Guests that find each other by name through their network's dnsmasq, and a NIC plugged into a
/// running guest and taken out again with `joist nic`, through joistd and the joist CLI (real QEMU,
/// dnsmasq and nftables in the daemon's own network namespace).
@Suite("Guests: names on a network, NICs hot-plugged (real QEMU)", .bootsGuests(2), .serialized, .timeLimit(.minutes(15)))
struct GuestNICTests {
    @Test("two guests resolve each other's names; a NIC added live gets a lease, shows in list and info, and goes again")
    func namesAndHotplug() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            try await joist.succeed(["network", "create", "lan", "--type", "nat", "--subnet", "10.77.0.0/24"])
            try await joist.succeed(["network", "create", "lab", "--type", "isolated", "--subnet", "10.78.0.0/24"])
            let consoles = try await joist.bootGuests([("vm1", ["network=lan"]), ("vm2", ["network=lan,ip=10.77.0.12"])], from: guest)
            defer { Task { await joist.close(consoles) } }
            let (vm1, vm2) = (consoles[0], consoles[1])
            let first = try #require(await vm1.lease(), "\(vm1.output)\n\(joist.daemonLog())")
            #expect(await vm2.lease() == "10.77.0.12", "\(vm2.output)")

            // Names: the udhcpc script wrote the network's DNS server and domain into resolv.conf.
            #expect(await vm1.answer("cat /etc/resolv.conf | tr '\\n' ' '", marker: "C") == "search lan.joist nameserver 10.77.0.1 ", "\(vm1.output)")
            #expect(await vm1.resolve("vm2", marker: "N") == "10.77.0.12", "\(vm1.output)")
            #expect(await vm2.resolve("vm1.lan.joist", marker: "N") == first, "\(vm2.output)")
            #expect(await vm1.ping("vm2", marker: "P"), "\(vm1.output)")

            // Both addresses show in joist list; info shows vm2's NIC with its reservation and lease.
            let listed = try await joist.succeed(["list", "--format", "csv"])
            #expect(listed.contains("vm1,RUNNING,\(first),") && listed.contains("vm2,RUNNING,10.77.0.12,"), "\(listed)")
            let info = try await joist.succeed(["info", "vm2"])
            #expect(info.contains("eth0: network lan, MAC 52:54:00:"), "\(info)")
            #expect(info.contains("reserved 10.77.0.12, leased 10.77.0.12"), "\(info)")

            // A NIC on a second network, plugged into the running vm1.
            let added = try await joist.succeed(["nic", "add", "vm1", "network=lab"])
            #expect(added.contains("as eth1"), "\(added)")
            let nics = try await joist.succeed(["nic", "list", "vm1", "--format", "csv"])
            let mac = try #require(nics.split(separator: "\n").first { $0.hasPrefix("eth1,lab,") }?.split(separator: ",")[2], "\(nics)")
            #expect(await eventually(timeout: .seconds(60)) {
                await vm1.answer("cat /sys/class/net/eth1/address", marker: "M\(Int.random(in: 0..<1_000_000))") == String(mac)
            }, "\(vm1.output)")
            let second = try #require(await vm1.lease(on: "eth1", marker: "B"), "\(vm1.output)\n\(joist.daemonLog())")
            #expect(second.hasPrefix("10.78.0."), "\(second)")
            #expect(await vm1.ping("10.78.0.1", marker: "L"), "\(vm1.output)")
            let shown = await joist.eventuallyListed("vm1", showing: "\(first),\(second)")
            let listing = try await joist.succeed(["list"])
            #expect(shown, "\(listing)")

            // Taken out again: the guest loses eth1, the network its member and reservation.
            try await joist.succeed(["nic", "remove", "vm1", "eth1"])
            #expect(await vm1.answer("ls /sys/class/net | tr '\\n' ' '", marker: "S") == "eth0 lo ", "\(vm1.output)")
            let lab = try await joist.succeed(["network", "info", "lab"])
            #expect(lab.contains("Used by: -"), "\(lab)")
            #expect(try await joist.succeed(["nic", "list", "vm1"]).split(separator: "\n").count == 2)
            // The NIC left, so its address is no longer shown, however long its lease runs.
            #expect(try await joist.succeed(["list", "--format", "csv"]).contains("vm1,RUNNING,\(first),"))

            try await joist.succeed(["delete", "vm1", "--force"])
            try await joist.succeed(["delete", "vm2", "--force"])
            try await joist.succeed(["network", "delete", "lan"])
            try await joist.succeed(["network", "delete", "lab"])
            // The last network gone, no empty table of Joist's is left behind.
            #expect(try await joist.joistRules().tables == 0)
        }
    }
}

extension DaemonHarness {
    /// Whether `joist list` comes to show `addresses` for `name` (dnsmasq writes its lease file just
    /// after it answers).
    func eventuallyListed(_ name: String, showing addresses: String) async -> Bool {
        await eventually(timeout: .seconds(30)) {
            ((try? await self.cli(["list", "--format", "csv"]))?.stdout ?? "").contains("\(name),RUNNING,\"\(addresses)\",")
        }
    }
}
