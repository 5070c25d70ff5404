import Foundation
import HostKit
import JoistCore
import JoistTestTraits
import JoistTesting
import Networking
import QEMUDriver
import Testing

/// A network NIC end to end in a real guest: inside a network namespace of the test's own, a bridge
/// with the network's gateway address, dnsmasq running the rendered config with a reservation for
/// the NIC, and the NIC's tap on the bridge. The guest's DHCP client gets the reserved address,
/// the lease file says so, and a second NIC plugs in and out while the guest runs.
@Suite("Network NICs in a real guest", .bootsGuests, .enabled(if: TestNetworkNamespace.dnsmasqAvailable), .timeLimit(.minutes(15)))
struct NICGuestTests {
    static let instance = "netguest"
    static func identity(_ index: Int) -> NICIdentity { NICIdentity(project: "default", instance: instance, index: index) }

    @Test("the guest leases its reserved address over the tap and reaches the gateway; a hot-plugged NIC comes and goes")
    func dhcpAndHotplug() async throws {
        try await withTemporaryDirectory(prefix: "jnic") { directory in
            try await TestNetworkNamespace.with { namespace in
                let layout = try NetworkLayout(NetworkConfig(name: "web", kind: .nat, subnet: IPv4Subnet(parsing: "10.1.2.0/24")))
                let nics = StableMACs.assign(to: [NICSpec(network: "web", ip: IPv4Address(10, 1, 2, 10))], project: "default", instance: Self.instance)
                let mac = try #require(nics[0].mac)
                let dnsmasq = try await Self.hostNetwork(
                    layout, reservations: [DHCPReservation(mac: mac, ip: IPv4Address(10, 1, 2, 10), hostname: Self.instance)],
                    taps: [0, 1].map { LinkNames.tap(for: Self.identity($0)) }, in: directory, namespace: namespace)
                defer { dnsmasq.stop() }

                let guest = try await GuestUnderTest.boot(in: directory, name: Self.instance, nics: nics, launchPrefix: namespace.exec)
                defer { guest.terminate() }
                let console = guest.console
                #expect(try await console.run("cat /sys/class/net/eth0/address") == [mac.description])
                #expect(try await console.run("udhcpc -i eth0 -n -q -t 10 -T 1 >/dev/null 2>&1; echo $?") == ["0"])
                #expect(try await console.run("ifconfig eth0 | sed -n 's/.*inet addr:\\([0-9.]*\\).*/\\1/p'") == ["10.1.2.10"])
                #expect(try await console.run("ping -c 1 -W 5 10.1.2.1 >/dev/null 2>&1; echo $?") == ["0"])
                let leases = DnsmasqLeases.parse(try String(contentsOfFile: dnsmasq.paths.leaseFile, encoding: .utf8))
                #expect(DnsmasqLeases.addresses(for: mac, in: leases, at: Date()) == [IPv4Address(10, 1, 2, 10)])
                #expect(leases.first { $0.mac == mac }?.hostname == Self.instance)

                let added = StableMACs.assign(to: nics + [NICSpec(network: "web")], project: "default", instance: Self.instance)[1]
                let nic = try AttachedNIC(resolving: added, identity: Self.identity(1))
                let hotplugger = NICHotplugger(qmp: guest.qmp, machine: .q35)
                try await hotplugger.attach(nic)
                #expect(try await guest.eventually([try #require(added.mac).description], from: "cat /sys/class/net/eth1/address 2>/dev/null"))
                #expect(try await namespace.read("/sys/class/net/\(LinkNames.tap(for: Self.identity(1)))/carrier") == "1")

                try await hotplugger.detach(nic)
                #expect(try await console.run("ls -1 /sys/class/net") == ["eth0", "lo"])
                #expect(try await !guest.qmp.humanMonitorCommand("info network").contains("net1"))
                #expect(try await guest.qmp.qomList(path: "/machine/peripheral").map(\.name).contains("net0-nic"))
                try await guest.qmp.quit()
            }
        }
    }

    /// Makes the network's bridge with its gateway address, the taps on it, and starts dnsmasq
    /// with the rendered config, all inside `namespace`.
    static func hostNetwork(
        _ layout: NetworkLayout, reservations: [DHCPReservation], taps: [String], in directory: String,
        namespace: TestNetworkNamespace
    ) async throws -> RunningDnsmasq {
        let addressing = try #require(layout.addressing)
        try await namespace.ip(["link", "add", layout.bridge, "type", "bridge"])
        try await namespace.ip(["addr", "add", "\(addressing.gateway)/\(addressing.subnet.prefixLength)", "dev", layout.bridge])
        try await namespace.ip(["link", "set", layout.bridge, "up"])
        for tap in taps {
            try await namespace.ip(["tuntap", "add", "dev", tap, "mode", "tap"])
            try await namespace.ip(["link", "set", tap, "master", layout.bridge, "up"])
        }
        let folder = directory + "/dnsmasq"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let paths = try DnsmasqPaths(directory: folder)
        let rendered = try DnsmasqConfig.render(layout: layout, reservations: reservations, paths: paths)
        try rendered.config.write(toFile: paths.config, atomically: true, encoding: .utf8)
        try rendered.hosts.write(toFile: paths.hostsFile, atomically: true, encoding: .utf8)
        // ProcessSpawner, not Foundation's Process: dnsmasq must not inherit the test process's
        // blocked signals, or it would never see the SIGTERM that stops it.
        let argv = namespace.exec + [try HostTools.path(of: "dnsmasq"), "--conf-file=\(paths.config)"]
        guard try await ProcessSpawner.run(argv, outputPath: folder + "/start.log") == 0 else {
            throw TestSetupError("dnsmasq did not start: \((try? String(contentsOfFile: folder + "/start.log", encoding: .utf8)) ?? "")")
        }
        let pidText = try String(contentsOfFile: paths.pidFile, encoding: .utf8)
        return RunningDnsmasq(paths: paths, pid: try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines))))
    }
}

/// A dnsmasq the test started (it daemonizes, writing its pid file) and stops.
struct RunningDnsmasq {
    let paths: DnsmasqPaths
    let pid: Int32

    func stop() {
        kill(pid, SIGTERM)
    }
}
