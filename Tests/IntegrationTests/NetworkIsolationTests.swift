import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// What an `isolated` network lets through, and what a daemon restart leaves of a `nat` network's
/// connectivity and rules, with real guests, nftables and dnsmasq in the daemon's own network
/// namespace. "Beyond the host" is a second namespace this test makes, joined to the daemon's by a
/// veth pair, with addresses of its own.
@Suite("Networks: isolation and daemon restart (real QEMU)", .bootsGuests(2), .serialized, .timeLimit(.minutes(15)))
struct NetworkIsolationTests {
    @Test("an isolated guest reaches the host but nothing beyond it, where a nat guest does")
    func isolatedReachesOnlyTheHost() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            let outside = try await Outside.make(beside: joist)
            defer { Task { await outside.remove() } }
            try await joist.succeed(["network", "create", "iso", "--type", "isolated", "--subnet", "10.79.0.0/24"])
            try await joist.succeed(["network", "create", "lan", "--type", "nat", "--subnet", "10.80.0.0/24"])
            let consoles = try await joist.bootGuests([("shut", ["network=iso"]), ("open", ["network=lan"])], from: guest)
            defer { Task { await joist.close(consoles) } }
            let (shut, open) = (consoles[0], consoles[1])
            let shutAddress = try #require(await shut.lease(), "\(shut.output)\n\(joist.daemonLog())")
            let openAddress = try #require(await open.lease(), "\(open.output)")

            // The nat guest reaches the other namespace (masqueraded), so the path exists.
            #expect(await open.ping(Outside.remote, marker: "O"), "\(open.output)")
            // The isolated guest reaches the host at its gateway. It is given no route beyond; given
            // one by hand, it reaches the host's other addresses too, but the host forwards nothing
            // of it: not to the outside, not to the nat network's guest.
            #expect(await shut.ping("10.79.0.1", marker: "G"), "\(shut.output)")
            #expect(await shut.answer("ip route | grep -c default", marker: "R") == "0", "\(shut.output)")
            shut.send("ip route add default via 10.79.0.1\n")
            #expect(await shut.ping(Outside.local, marker: "H"), "\(shut.output)")
            #expect(await shut.pingFails(Outside.remote, marker: "X"), "\(shut.output)")
            #expect(await shut.pingFails(openAddress, marker: "Y"), "\(shut.output)")
            #expect(await open.pingFails(shutAddress, marker: "Z"), "\(open.output)")
            // And the check can fail: the same route works for the nat guest.
            #expect(await open.ping(Outside.local, marker: "L"), "\(open.output)")

            try await joist.succeed(["delete", "shut", "--force"])
            try await joist.succeed(["delete", "open", "--force"])
            try await joist.succeed(["network", "delete", "iso", "lan"])
            #expect(try await joist.joistRules().tables == 0)
            await outside.remove()
        }
    }

    @Test("a daemon restart keeps the guests talking, the rules as many as before, and dnsmasq answering")
    func restartKeepsConnectivity() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            try await joist.succeed(["network", "create", "lan", "--type", "nat", "--subnet", "10.82.0.0/24"])
            let first = try await joist.bootGuests(
                [("vm1", ["network=lan,ip=10.82.0.11"]), ("vm2", ["network=lan,ip=10.82.0.12"])], from: guest)
            let (first1, first2) = (first[0], first[1])
            #expect(await first1.lease() == "10.82.0.11", "\(first1.output)\n\(joist.daemonLog())")
            #expect(await first2.lease() == "10.82.0.12", "\(first2.output)")
            #expect(await first1.ping("10.82.0.12", marker: "P"), "\(first1.output)")
            let before = try await joist.joistRules()
            #expect(before.tables == 1 && before.rules > 0)
            let hosts = joist.stateDirectory + "/networks/lan/dhcp-hosts"
            let reservations = try String(contentsOfFile: hosts, encoding: .utf8)

            // The consoles go with the daemon (they are its clients); new ones attach afterwards.
            await first1.close()
            await first2.close()
            await joist.killDaemon()
            try await joist.start()
            let vm1 = try ConsoleProcess(harness: joist, instance: "vm1")
            let vm2 = try ConsoleProcess(harness: joist, instance: "vm2")

            #expect(try await joist.joistRules() == before)
            #expect(try String(contentsOfFile: hosts, encoding: .utf8) == reservations)
            #expect(try await joist.dnsmasqCount() == 1)
            #expect(await vm1.ping("10.82.0.12", marker: "Q"), "\(vm1.output)")
            #expect(await vm2.ping("10.82.0.11", marker: "Q"), "\(vm2.output)")
            #expect(await vm2.resolve("vm1", marker: "N") == "10.82.0.11", "\(vm2.output)\n\(joist.daemonLog())")
            // A renewal after the restart gets the reserved address again.
            #expect(await vm1.lease(marker: "B") == "10.82.0.11", "\(vm1.output)")

            // A second restart changes nothing either.
            await vm1.close()
            await vm2.close()
            await joist.killDaemon()
            try await joist.start()
            #expect(try await joist.joistRules() == before)
            #expect(try await joist.dnsmasqCount() == 1)

            try await joist.succeed(["delete", "vm1", "--force"])
            try await joist.succeed(["delete", "vm2", "--force"])
            try await joist.succeed(["network", "delete", "lan"])
            #expect(try await joist.joistRules().tables == 0)
            #expect(try await joist.dnsmasqCount() == 0)
        }
    }
}

extension DaemonHarness {
    /// How many dnsmasq processes run in the daemon's network namespace.
    func dnsmasqCount() async throws -> Int {
        let namespace = try #require(networkNamespace)
        let pids = try await CommandRunner.run("/usr/sbin/ip", ["netns", "pids", namespace]).stdout.split(separator: "\n")
        return pids.filter { pid in
            ((try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? "").hasPrefix("dnsmasq")
        }.count
    }
}

/// A network namespace beside the daemon's, joined to it by a veth pair: `local` is the daemon's
/// (the host's) end, `remote` the far end. The far end has no route back to any guest network, so
/// only masqueraded traffic can be answered.
struct Outside {
    static let local = "10.81.0.1"
    static let remote = "10.81.0.2"
    let name: String

    static func make(beside joist: DaemonHarness) async throws -> Outside {
        let daemon = try #require(joist.networkNamespace)
        let outside = Outside(name: daemon + "o")
        let ip = "/usr/sbin/ip"
        try await HostTool.run(ip, ["netns", "add", outside.name])
        try await HostTool.run(ip, ["-n", outside.name, "link", "set", "lo", "up"])
        try await HostTool.run(ip, ["-n", daemon, "link", "add", "tv-in", "type", "veth", "peer", "name", "tv-out", "netns", outside.name])
        try await HostTool.run(ip, ["-n", daemon, "addr", "add", local + "/24", "dev", "tv-in"])
        try await HostTool.run(ip, ["-n", daemon, "link", "set", "tv-in", "up"])
        try await HostTool.run(ip, ["-n", outside.name, "addr", "add", remote + "/24", "dev", "tv-out"])
        try await HostTool.run(ip, ["-n", outside.name, "link", "set", "tv-out", "up"])
        return outside
    }

    func remove() async {
        _ = try? await CommandRunner.run("/usr/sbin/ip", ["netns", "del", name])
    }
}
