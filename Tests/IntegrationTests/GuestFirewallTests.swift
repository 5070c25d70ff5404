import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// The firewall against real guests: two test guests on one `nat` network, rules through the joist
/// CLI, and real connections (busybox `nc`, `ping`) between the guests and from the host. The daemon
/// runs in a network namespace of its own (`DaemonHarness`), so its nftables tables exist only there.
@Suite("Firewall between real guests", .bootsGuests(2), .serialized, .timeLimit(.minutes(15)))
struct GuestFirewallTests {
    static let vm1 = "10.77.0.11"
    static let vm2 = "10.77.0.12"

    @Test("a drop rule blocks exactly what it names: that port from that source, not ping, other ports or other sources; removing it restores it")
    func dropRuleBlocksExactlyWhatItNames() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            try await joist.succeed(["network", "create", "lan", "--type", "nat", "--subnet", "10.77.0.0/24"])
            let consoles = try await joist.bootGuests(
                [("vm1", ["network=lan,ip=\(Self.vm1)"]), ("vm2", ["network=lan,ip=\(Self.vm2)"])], from: guest)
            defer { Task { await joist.close(consoles) } }
            let (vm1, vm2) = (consoles[0], consoles[1])
            let probe = Probe(joist: joist, vm1: vm1)
            try #require(await probe.lease(on: vm1, expect: Self.vm1), "\(vm1.output)")
            try #require(await probe.lease(on: vm2, expect: Self.vm2), "\(vm2.output)")
            // Listeners that take one connection after another, silently.
            for port in [5001, 5002] {
                vm2.send("(while true; do nc -l -p \(port) </dev/null >/dev/null 2>&1; done) &\n")
            }
            #expect(await eventually(timeout: .seconds(60)) { await probe.connects(to: 5001) }, "\(vm1.output)")
            #expect(await eventually(timeout: .seconds(60)) { await probe.connects(to: 5002) }, "\(vm1.output)")

            let added = try await joist.succeed([
                "firewall", "add", "vm2", "--direction", "in", "--proto", "tcp", "--port", "5001", "--source", Self.vm1, "--action", "drop",
            ])
            #expect(added.contains("Added firewall rule 1 to instance vm2: in tcp port 5001 from \(Self.vm1) drop"), "\(added)")
            #expect(await !probe.connects(to: 5001), "the rule blocks vm1 → vm2:5001\n\(vm1.output)")
            #expect(await probe.reaches(5002), "another port still works\n\(vm1.output)")
            #expect(await probe.pings(), "ping still works\n\(vm1.output)")
            #expect(try await probe.hostConnects(to: 5001), "another source (the host) still reaches port 5001")
            #expect(try await joist.succeed(["firewall", "list", "vm2", "--format", "csv"]).contains("1,in,tcp,5001,\(Self.vm1),-,drop"))

            // A network's rule covers every guest on it, after the instances' own rules.
            try await joist.succeed(["firewall", "add", "--network", "lan", "--direction", "in", "--proto", "tcp", "--port", "5002", "--action", "drop"])
            #expect(await !probe.connects(to: 5002), "the network's rule blocks vm2:5002\n\(vm1.output)")
            #expect(try await Self.ruleCount(joist) == 2, "each rule once in the kernel")

            try await joist.succeed(["firewall", "remove", "vm2", "--id", "1"])
            try await joist.succeed(["firewall", "remove", "--network", "lan", "--id", "1"])
            #expect(await probe.reaches(5001), "removing the rules restores port 5001\n\(vm1.output)")
            #expect(await probe.reaches(5002), "and port 5002\n\(vm1.output)")
            #expect(try await Self.ruleCount(joist) == 0)

            let policy = try await joist.cli(["firewall", "policy", "lan", "--in", "drop"])
            if !policy.succeeded {
                #expect(policy.stderr.contains("CONFIG_NF_CONNTRACK_BRIDGE"), "a refused drop policy names the missing kernel feature: \(policy)")
            }
            try await joist.succeed(["delete", "vm1", "--force"])
            try await joist.succeed(["delete", "vm2", "--force"])
            try await joist.succeed(["network", "delete", "lan"])
        }
    }

    /// How many drop rules of the firewall the kernel holds in the daemon's namespace.
    private static func ruleCount(_ joist: DaemonHarness) async throws -> Int {
        let listing = try await joist.run("/usr/sbin/nft", ["list", "ruleset"])
        try #require(listing.succeeded, "\(listing)")
        return listing.stdout.components(separatedBy: "dport 500").count - 1
    }

    /// Connection checks from vm1's console; each check has a marker of its own, so an answer is never
    /// taken for another's.
    struct Probe {
        let joist: DaemonHarness
        let vm1: ConsoleProcess

        func marker() -> String { "Q" + String(UInt64.random(in: 1...UInt64.max), radix: 36) }

        /// Asks DHCP for the guest's reserved address and checks it got it.
        func lease(on console: ConsoleProcess, expect address: String) async -> Bool {
            let marker = marker()
            console.send("udhcpc -i eth0 -n -q -t 10 -T 1 >/dev/null 2>&1; echo \(marker)$?$(ifconfig eth0 | grep -c 'inet addr:\(address) ')Z\n")
            return await console.waitFor("\(marker)01Z")
        }

        /// Whether a TCP connection from vm1 to vm2's `port` is made (busybox nc gives up after 2 s).
        func connects(to port: Int) async -> Bool {
            let marker = marker()
            vm1.send("nc -w 2 \(GuestFirewallTests.vm2) \(port) </dev/null >/dev/null 2>&1; echo \(marker)R$?Z\n")
            let answer = try? Regex("\(marker)R([0-9]+)Z")
            guard let answer, await eventually(timeout: .seconds(60), { vm1.output.firstMatch(of: answer) != nil }) else { return false }
            return vm1.output.contains("\(marker)R0Z")
        }

        /// Whether vm1 connects to `port` within a few tries: a listener restarts after each connection,
        /// and a try in between is refused. Only for what must pass; what must be blocked is tried once.
        func reaches(_ port: Int) async -> Bool {
            for _ in 0..<3 where await connects(to: port) { return true }
            return false
        }

        /// Whether vm1's ping to vm2 is answered.
        func pings() async -> Bool {
            let marker = marker()
            vm1.send("ping -c 1 -W 5 \(GuestFirewallTests.vm2) >/dev/null 2>&1; echo \(marker)P$?Z\n")
            return await vm1.waitFor("\(marker)P0Z")
        }

        /// Whether the daemon's host (the gateway, another source) connects to vm2's `port`.
        func hostConnects(to port: Int) async throws -> Bool {
            try await joist.run("/bin/sh", ["-c", "busybox nc -w 2 \(GuestFirewallTests.vm2) \(port) </dev/null >/dev/null"]).succeeded
        }
    }
}
