import JoistCore
import Networking
import Testing

@Suite("dnsmasq config (golden)")
struct DnsmasqConfigTests {
    @Test("a nat network: router, upstream DNS, reservations with and without a fixed address")
    func nat() throws {
        let rendered = try DnsmasqConfig.render(layout: Samples.web(), reservations: Samples.webReservations(), paths: Samples.paths)
        try Golden.check("dnsmasq-nat.conf", rendered.config)
        try Golden.check("dnsmasq-nat.hosts", rendered.hosts)
        #expect(rendered.config.contains("dhcp-option=option:router,10.1.2.1\n"))
        #expect(!rendered.config.contains("no-resolv"))
    }

    @Test("an isolated network: no router, no upstream, no reservations")
    func isolated() throws {
        let paths = try DnsmasqPaths(directory: "/var/lib/joist/networks/lab/")
        let rendered = try DnsmasqConfig.render(layout: Samples.lab(), reservations: [], paths: paths)
        try Golden.check("dnsmasq-isolated.conf", rendered.config)
        #expect(rendered.hosts.isEmpty)
        #expect(rendered.config.contains("dhcp-option=option:router\n"))
        #expect(rendered.config.contains("\nno-resolv\n"))
        #expect(!rendered.config.contains("server="))
        #expect(rendered.config.contains("dhcp-leasefile=/var/lib/joist/networks/lab/dnsmasq.leases\n"))
    }

    @Test("every file dnsmasq writes is in the network's folder")
    func pathsStayInFolder() throws {
        let paths = Samples.paths
        for path in [paths.config, paths.hostsFile, paths.leaseFile, paths.pidFile, paths.logFile] {
            #expect(path.hasPrefix(paths.directory + "/"))
            #expect(!path.dropFirst(paths.directory.count + 1).contains("/"))
        }
    }

    @Test("folders that are relative, climb out, or would be misread in dnsmasq's syntax are refused", arguments: [
        "var/lib/joist", "/var/lib/../etc", "/var/./lib", "/var/lib/joist net", "/var/lib/joist#x", "/var/lib/jo,ist",
        "/var/lib/\"joist\"", "/var/lib/joist\nserver=1.1.1.1", "",
    ])
    func badFolder(directory: String) {
        #expect(throws: JoistError.self) { try DnsmasqPaths(directory: directory) }
    }

    @Test("a bridge network gets no dnsmasq")
    func bridge() {
        #expect(throws: JoistError.invalidArgument("network lan is a bridge to br0: Joist runs no dnsmasq for it")) {
            try DnsmasqConfig.render(layout: Samples.lan(), reservations: [], paths: Samples.paths)
        }
    }

    @Test("reservations a guest of the network cannot hold, or that clash, are refused with the reason", arguments: [
        ("10.1.3.5", "52:54:00:00:00:01", "cannot reserve 10.1.3.5 for web-1 on network web: it is outside the network's subnet 10.1.2.0/24"),
        ("10.1.2.1", "52:54:00:00:00:01", "cannot reserve 10.1.2.1 for web-1 on network web: it is the host's gateway address"),
        ("10.1.2.255", "52:54:00:00:00:01",
         "cannot reserve 10.1.2.255 for web-1 on network web: it is the subnet's network or broadcast address"),
        ("10.1.2.10", "52:54:00:00:00:09", "db-1 and web-1 both ask for 10.1.2.10 on network web"),
        ("10.1.2.12", "52:54:00:aa:00:02", "db-1 and web-1 both use MAC address 52:54:00:aa:00:02 on network web"),
    ])
    func badReservation(ip: String, mac: String, message: String) throws {
        let reservations = [
            DHCPReservation(mac: try Samples.mac("52:54:00:aa:00:02"), ip: try Samples.address("10.1.2.10"), hostname: "db-1"),
            DHCPReservation(mac: try Samples.mac(mac), ip: try Samples.address(ip), hostname: "web-1"),
        ]
        #expect(throws: JoistError.invalidArgument(message)) {
            try DnsmasqConfig.render(layout: Samples.web(), reservations: reservations, paths: Samples.paths)
        }
    }

    @Test("a hostname is reserved once per network, and must be a DNS label")
    func hostnames() throws {
        let twice = [
            DHCPReservation(mac: try Samples.mac("52:54:00:00:00:01"), hostname: "web-1"),
            DHCPReservation(mac: try Samples.mac("52:54:00:00:00:02"), hostname: "WEB-1"),
        ]
        #expect(throws: JoistError.invalidArgument(
            "WEB-1 has two NICs on network web: a name resolves to one address, so give each NIC its own network"
        )) { try DHCPReservation.validate(twice, on: Samples.web()) }
        let bad = [DHCPReservation(mac: try Samples.mac("52:54:00:00:00:01"), hostname: "web_1,10.1.2.9")]
        #expect(throws: JoistError.self) { try DHCPReservation.validate(bad, on: Samples.web()) }
    }
}
