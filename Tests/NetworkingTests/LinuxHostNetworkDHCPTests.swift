import Foundation
import HostKit
import JoistCore
import JoistTesting
import Testing

@testable import Networking

/// dnsmasq as `LinuxHostNetwork` runs it: a NAT network in one namespace, and a "guest" in a second
/// namespace, joined to the network's bridge by a veth pair, that asks for a lease with busybox
/// `udhcpc` and resolves names with busybox `nslookup`.
@Suite("LinuxHostNetwork: dnsmasq serves DHCP and DNS in a namespace")
struct LinuxHostNetworkDHCPTests {
    static let guestMAC = "52:54:00:aa:00:01"

    @Test("a guest gets a lease from the range; once reserved, its fixed address and name, from the same dnsmasq")
    func leaseThenReservation() async throws {
        try await withScratchFolder { folder in
            try await TestNamespace.with(2) { namespaces in
                let (host, guest) = (namespaces[0], namespaces[1])
                let network = try await NATNetwork(host, folder: folder)
                try await network.plugGuest(guest)
                try await network.apply(reservations: [])
                let pid = try #require(DnsmasqProcess.running(network.paths)?.pid)
                let reserved = try Samples.address("10.1.2.10")

                let dynamic = try await Self.lease(guest, folder: folder)
                #expect(network.layout.addressing?.dhcpRange.contains(dynamic) == true, "\(dynamic)")
                #expect(dynamic != reserved)

                let reads = try network.hostsFileReads()
                try await network.apply(reservations: [
                    DHCPReservation(mac: try Samples.mac(Self.guestMAC), ip: reserved, hostname: "web-1")
                ])
                #expect(DnsmasqProcess.running(network.paths)?.pid == pid, "a new reservation needs only SIGHUP")
                // dnsmasq handles the signal in its main loop: wait until it logs the re-read.
                #expect(try await eventually(timeout: hangTimeout) { try network.hostsFileReads() > reads })
                #expect(try await Self.lease(guest, folder: folder) == reserved)

                try await guest.ip("addr", "add", "10.1.2.10/24", "dev", "guest0")
                let lookup = try await guest.exec("busybox", ["nslookup", "web-1.web.joist", "10.1.2.1"])
                #expect(lookup.succeeded && lookup.stdout.contains("Address: 10.1.2.10"), "\(lookup.stdout)\(lookup.stderr)")
                let unknown = try await guest.exec("busybox", ["nslookup", "db-1.web.joist", "10.1.2.1"])
                #expect(!unknown.succeeded && (unknown.stdout + unknown.stderr).contains("NXDOMAIN"))
            }
        }
    }

    @Test("ensureDNSMasq changes nothing when nothing changed, restarts on a changed config; stop ends it")
    func restartAndStop() async throws {
        try await withScratchFolder { folder in
            try await TestNamespace.with { namespaces in
                let network = try await NATNetwork(namespaces[0], folder: folder)
                try await network.apply(reservations: [])
                let first = try #require(DnsmasqProcess.running(network.paths))
                let config = try #require(NetworkFiles.read(network.paths.config))
                try await network.apply(reservations: [])
                #expect(DnsmasqProcess.running(network.paths) == first)

                try (config + "# an older joistd wrote this\n").write(toFile: network.paths.config, atomically: true, encoding: .utf8)
                try await network.apply(reservations: [])
                let second = try #require(DnsmasqProcess.running(network.paths))
                #expect(second.pid != first.pid)
                #expect(!first.isRunning)
                #expect(NetworkFiles.read(network.paths.config) == config)

                let permissions = try FileManager.default.attributesOfItem(atPath: network.paths.hostsFile)[.posixPermissions] as? Int
                #expect(permissions == 0o644, "dnsmasq reads its reservations as nobody")

                try await network.host.driver.stopDNSMasq(network.paths)
                #expect(!second.isRunning)
                #expect(DnsmasqProcess.running(network.paths) == nil)
                try await network.host.driver.stopDNSMasq(network.paths)
            }
        }
    }

    @Test("a pid file naming another process is not dnsmasq's: nothing is signalled")
    func stalePidFile() async throws {
        try await withScratchFolder { folder in
            let paths = try DnsmasqPaths(directory: folder)
            try "\(getpid())\n".write(toFile: paths.pidFile, atomically: true, encoding: .utf8)
            #expect(DnsmasqProcess.running(paths) == nil)
            #expect(!DnsmasqProcess(pid: getpid(), paths: paths).send(SIGTERM))
            try await LinuxHostNetwork(namespace: "joist-test-never-created").stopDNSMasq(paths)
        }
    }

    @Test("a folder that nobody cannot reach is refused, with the fix")
    func unreachableFolder() async throws {
        try await withScratchFolder { folder in
            try FileManager.default.createDirectory(atPath: folder + "/private", withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
            let paths = try DnsmasqPaths(directory: folder + "/private/web")
            let layout = try LinuxHostNetworkTests.nat()
            let config = try DnsmasqConfig.render(layout: layout, reservations: [], paths: paths)
            let error = await #expect(throws: JoistError.self) {
                try await LinuxHostNetwork(namespace: "joist-test-never-created").ensureDNSMasq(config, layout: layout)
            }
            #expect(error?.message.contains("chmod o+x \(folder)/private") == true, "\(String(describing: error))")
        }
    }

    /// Asks for a lease in `guest` and returns the address it was offered.
    /// Maps to `busybox udhcpc -n -q` with a script that prints the address.
    static func lease(_ guest: TestNamespace, folder: String) async throws -> IPv4Address {
        let script = folder + "/udhcpc.sh"
        try "#!/bin/sh\n[ \"$1\" = bound ] && echo \"bound $ip\"\nexit 0\n".write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        let output = try await guest.exec("busybox", ["udhcpc", "-i", "guest0", "-n", "-q", "-t", "10", "-T", "1", "-s", script])
        try #require(output.succeeded, "udhcpc got no lease: \(output.stderr)")
        let line = try #require(output.stdout.split(whereSeparator: \.isNewline).first { $0.hasPrefix("bound ") })
        return try IPv4Address(parsing: String(line.dropFirst("bound ".count)))
    }
}

/// The `web` NAT network (10.1.2.0/24) in `host`, with its dnsmasq files under `folder`.
struct NATNetwork {
    let host: TestNamespace
    let layout: NetworkLayout
    let paths: DnsmasqPaths

    init(_ host: TestNamespace, folder: String) async throws {
        self.host = host
        layout = try LinuxHostNetworkTests.nat()
        paths = try DnsmasqPaths(directory: folder + "/networks/web")
        try await host.driver.ensureBridge(layout)
    }

    /// Renders the network's dnsmasq files and makes its dnsmasq serve them.
    func apply(reservations: [DHCPReservation]) async throws {
        let config = try DnsmasqConfig.render(layout: layout, reservations: reservations, paths: paths)
        try await host.driver.ensureDNSMasq(config, layout: layout)
    }

    /// Joins `guest` to the bridge through a veth pair: `guest0` (with the test guest's MAC) in
    /// `guest`, its peer a port of the bridge.
    func plugGuest(_ guest: TestNamespace) async throws {
        try await host.ip("link", "add", "port-guest", "type", "veth", "peer", "name", "guest0", "netns", guest.name)
        try await host.ip("link", "set", "port-guest", "master", layout.bridge, "up")
        try await guest.ip("link", "set", "guest0", "address", LinuxHostNetworkDHCPTests.guestMAC, "up")
    }

    /// How often dnsmasq has logged reading its reservations file (at start and on each SIGHUP).
    func hostsFileReads() throws -> Int {
        (NetworkFiles.read(paths.logFile) ?? "").components(separatedBy: "read \(paths.hostsFile)").count - 1
    }
}
