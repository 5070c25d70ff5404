import Foundation
import HostKit
import JoistCore
import Networking
import Testing

/// The lease parser against a file a real dnsmasq wrote: dnsmasq runs with a rendered config on a
/// bridge inside a network namespace of the test's own, and busybox's DHCP client asks it for an
/// address from a second namespace behind a veth pair. Both namespaces end with the test.
@Suite("dnsmasq leases from a real dnsmasq", .enabled(if: DHCPTools.present), .timeLimit(.minutes(1)))
struct LeaseFileTests {
    /// Sets up the bridge, starts dnsmasq and the client's namespace, runs udhcpc there, and waits
    /// (a bounded number of tries) for the lease to reach the file.
    static let script = """
        set -e
        folder=$1 bridge=$2 gateway=$3 mac=$4
        ip link set lo up
        ip link add "$bridge" type bridge
        ip addr add "$gateway" dev "$bridge"
        ip link set "$bridge" up
        ip link add jv0 type veth peer name jv1
        ip link set jv0 master "$bridge" up
        unshare --net sleep 60 & client=$!
        dnsmasq --conf-file="$folder/dnsmasq.conf" --keep-in-foreground & dns=$!
        trap 'kill $dns $client 2>/dev/null' EXIT
        tries=0
        until [ "$(readlink /proc/$client/ns/net)" != "$(readlink /proc/self/ns/net)" ]; do
            tries=$((tries + 1)); [ $tries -lt 100 ] || exit 3; sleep 0.05
        done
        ip link set jv1 netns $client
        nsenter -t $client -n sh -c "ip link set jv1 address $mac && ip link set jv1 up && \\
            busybox udhcpc -i jv1 -f -n -q -t 10 -T 1 -s /bin/true -x hostname:client-sent"
        tries=0
        until grep -q "$mac" "$folder/dnsmasq.leases"; do
            tries=$((tries + 1)); [ $tries -lt 100 ] || exit 4; sleep 0.05
        done
        """

    @Test("a reserved NIC's lease is parsed with its address, reserved hostname, client id and expiry")
    func reservedLease() async throws {
        try await withScratchFolder { folder in
            let layout = try Samples.web()
            let mac = MACAddress.stable(for: NICIdentity(project: "default", instance: "web-1", index: 0))
            let other = try Samples.mac("52:54:00:aa:00:02")
            let reservations = [
                DHCPReservation(mac: mac, ip: IPv4Address(10, 1, 2, 10), hostname: "web-1"),
                DHCPReservation(mac: other, ip: IPv4Address(10, 1, 2, 11), hostname: "db-1"),
            ]
            let paths = try DnsmasqPaths(directory: folder)
            let rendered = try DnsmasqConfig.render(layout: layout, reservations: reservations, paths: paths)
            try rendered.config.write(toFile: paths.config, atomically: true, encoding: .utf8)
            try rendered.hosts.write(toFile: paths.hostsFile, atomically: true, encoding: .utf8)
            let addressing = try #require(layout.addressing)
            let gateway = "\(addressing.gateway)/\(addressing.subnet.prefixLength)"
            let started = Date()

            let output = try await Tool.inNetworkNamespace(Self.script, folder, layout.bridge, gateway, mac.description)
            try #require(output.succeeded, "\(output.stderr)")

            let leases = DnsmasqLeases.parse(try String(contentsOfFile: paths.leaseFile, encoding: .utf8))
            let lease = try #require(leases.first { $0.mac == mac })
            #expect(leases.count == 1)
            #expect(lease.ip == IPv4Address(10, 1, 2, 10))
            #expect(lease.hostname == "web-1")
            #expect(lease.clientID == "01:" + mac.description)
            let expiry = try #require(lease.expiry)
            #expect(expiry > started.addingTimeInterval(3000) && expiry < Date().addingTimeInterval(3700))
            #expect(DnsmasqLeases.addresses(for: mac, in: leases, at: Date()) == [IPv4Address(10, 1, 2, 10)])
            #expect(DnsmasqLeases.addresses(for: other, in: leases).isEmpty)
        }
    }
}

/// What the test needs from the host: root (for namespaces and links) and the tools.
enum DHCPTools {
    static var present: Bool {
        getuid() == 0 && ["dnsmasq", "busybox", "nsenter", "unshare", "ip", "nft"].allSatisfy { HostCommand.locate($0) != nil }
    }
}
