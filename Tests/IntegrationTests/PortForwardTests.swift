import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// A port forward on a `nat` network, end to end: a real test guest serves HTTP on its port 80, and
/// the host (the daemon's network namespace, `DaemonHarness`) reaches it on a port of its own through
/// Joist's nftables rules, until the forward is removed.
@Suite("Port forwards to a guest (real QEMU)", .bootsGuests(1), .serialized, .timeLimit(.minutes(15)))
struct PortForwardTests {
    @Test("a port forward reaches a listener in a guest from the host side, survives a daemon restart, and is gone once removed")
    func forwardReachesGuest() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            try await joist.succeed(["network", "create", "lan", "--type", "nat", "--subnet", "10.79.0.0/24"])
            try await joist.createGuest("vm1", guest: guest, extra: ["--nic", "network=lan"])
            let nic = try #require((try await joist.info("vm1")["config"] as? [String: Any])?["nics"] as? [[String: Any]]).first
            let address = try #require(nic?["ip"] as? String, "every NIC on a nat network has a fixed address")
            try await joist.succeed(["start", "vm1"])
            let vm1 = try ConsoleProcess(harness: joist, instance: "vm1")
            defer { Task { await vm1.close() } }
            #expect(try await joist.waitForConsole("vm1", containing: TestGuest.readyMarker), "\(joist.daemonLog())")
            #expect(await vm1.lease() == address, "the guest's DHCP lease is its reserved address: \(vm1.output)")
            vm1.send("mkdir -p /www && echo HELLO-FORWARD >/www/index.html && httpd -p 80 -h /www; echo H$?Z\n")
            #expect(await vm1.waitFor("H0Z"), "\(vm1.output)")

            let added = try await joist.succeed(["network", "forward", "add", "lan", "--listen", "0.0.0.0:8080", "--to", "vm1:80"])
            #expect(added.contains("tcp-0.0.0.0-8080"), "\(added)")
            let listed = try await joist.succeed(["network", "forward", "list", "lan"])
            #expect(listed.contains("0.0.0.0:8080") && listed.contains("\(address):80"), "\(listed)")
            // From the host's loopback and from its address on the bridge.
            for url in ["http://127.0.0.1:8080/", "http://10.79.0.1:8080/"] {
                let answer = try await Self.fetch(url, joist)
                let rules = answer.stdout == "HELLO-FORWARD\n" ? "" : try await Self.ruleset(joist)
                #expect(answer.stdout == "HELLO-FORWARD\n", "\(url): \(answer)\n\(rules)")
            }

            let rules = try await Self.ruleset(joist)
            #expect(Self.count("dnat ip to \(address):80", in: rules) == 2, "prerouting and output: \(rules)")
            await joist.killDaemon()
            try await joist.start()
            #expect(try await Self.ruleset(joist) == rules, "a restarted daemon applies the same rules, once")
            #expect(try await Self.fetch("http://127.0.0.1:8080/", joist).stdout == "HELLO-FORWARD\n")

            try await joist.succeed(["network", "forward", "remove", "lan", "tcp-0.0.0.0-8080"])
            let refused = try await Self.fetch("http://127.0.0.1:8080/", joist)
            #expect(!refused.succeeded && refused.stderr.contains("Connection refused"), "refused once the forward is gone: \(refused)")
            #expect(!(try await Self.ruleset(joist)).contains("dnat"))
            #expect(try await Self.forwards(joist).isEmpty)

            // A forward goes with its instance.
            try await joist.succeed(["network", "forward", "add", "lan", "--listen", "10.79.0.1:8080", "--to", "vm1:80"])
            try await joist.succeed(["delete", "vm1", "--force"])
            #expect(try await Self.forwards(joist).isEmpty)
            #expect(!(try await Self.ruleset(joist)).contains("dnat"))
            try await joist.succeed(["network", "delete", "lan"])
        }
    }

    /// busybox `wget` in the daemon's namespace (busybox-static is one of Joist's dependencies): the
    /// body on success, "Connection refused" when nothing answers.
    private static func fetch(_ url: String, _ joist: DaemonHarness) async throws -> CommandResult {
        try await joist.run("/usr/bin/busybox", ["wget", "-q", "-Y", "off", "-O", "-", url])
    }

    /// The network's forwards, as `joist network forward list lan --format json` prints them.
    private static func forwards(_ joist: DaemonHarness) async throws -> [Any] {
        let json = try await joist.succeed(["network", "forward", "list", "lan", "--format", "json"])
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any], "\(json)")
    }

    /// Joist's nftables table as `nft` lists it in the daemon's namespace.
    private static func ruleset(_ joist: DaemonHarness) async throws -> String {
        let result = try await joist.run("/usr/sbin/nft", ["list", "table", "inet", "joist"])
        try #require(result.succeeded, "\(result)")
        return result.stdout
    }

    private static func count(_ text: String, in script: String) -> Int {
        script.components(separatedBy: text).count - 1
    }
}
