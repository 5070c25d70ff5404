import Foundation
import JoistCore
import JoistTesting
import Networking
import QEMUDriver
import Testing

/// NICs in the argv: user NICs as before, network NICs as tap netdevs with their stored MACs.
@Suite("NICs in the QEMU argv")
struct NICArgvTests {
    let builder = QEMUArgvBuilder(binary: "qemu-system-x86_64")
    let paths = RuntimePaths(stateDirectory: "/var/lib/joist", instance: "web-1")
    static let webMAC = MACAddress(qemuSuffix: 0x0e_f0e0)
    static let dbMAC = MACAddress(qemuSuffix: 0xaa_0002)

    static func spec(machine: MachineType) -> InstanceSpec {
        InstanceSpec(
            name: "web-1", kernel: "/boot/vmlinuz", initrd: "/boot/initrd.img",
            nics: [
                NICSpec(hostForwards: [HostForward(proto: .tcp, hostAddress: "127.0.0.1", hostPort: 2222, guestPort: 22)]),
                NICSpec(network: "web", mac: webMAC, ip: IPv4Address(10, 1, 2, 10)),
                NICSpec(network: "db", mac: dbMAC),
            ],
            machine: machine)
    }

    /// The JSON objects given to `option` (`-netdev`, `-device`), decoded.
    private func objects(_ option: String, in argv: [String]) throws -> [[String: String]] {
        try argv.indices.filter { argv[$0] == option }.map { index in
            try #require(try JSONSerialization.jsonObject(with: Data(argv[index + 1].utf8)) as? [String: Any]).compactMapValues { $0 as? String }
        }
    }

    @Test("q35: a user NIC, then tap NICs with their MACs, on virtio-net-pci (golden)")
    func q35() throws {
        let argv = try builder.argv(for: Self.spec(machine: .q35), project: "default", paths: paths, accelerator: .tcg) { _ in
            throw TestSetupError("no volumes here")
        }
        try Golden.check("network-q35.argv", argv)
        let taps = try objects("-netdev", in: argv).filter { $0["type"] == "tap" }
        #expect(taps.map { $0["ifname"] } == (1...2).map { LinkNames.tap(for: NICIdentity(project: "default", instance: "web-1", index: $0)) })
        #expect(taps.allSatisfy { $0["script"] == "no" && $0["downscript"] == "no" && $0["vhost"] == nil })
        let nics = try objects("-device", in: argv).filter { $0["netdev"] != nil }
        #expect(nics.map { $0["mac"] } == [nil, Self.webMAC.description, Self.dbMAC.description])
        #expect(nics.map { $0["netdev"] } == ["net0", "net1", "net2"])
    }

    @Test("with vhost-net, tap netdevs ask for it and user netdevs do not")
    func vhost() throws {
        let spec = Self.spec(machine: .q35)
        let nics = try AttachedNIC.resolve(spec.nics, project: "default", instance: spec.name, vhost: true)
        let argv = builder.argv(for: spec, disks: [], nics: nics, paths: paths, accelerator: .tcg)
        let netdevs = try argv.indices.filter { argv[$0] == "-netdev" }.map {
            try #require(try JSONSerialization.jsonObject(with: Data(argv[$0 + 1].utf8)) as? [String: Any])
        }
        #expect(netdevs.map { $0["vhost"] as? Bool } == [nil, true, true])
    }

    @Test("vhost-net is used where its device opens: not on a missing path, yes on one that opens read-write")
    func vhostProbe() throws {
        #expect(!VhostNet.isAvailable(at: "/nonexistent/vhost-net"))
        #expect(VhostNet.isAvailable(at: "/dev/null"))
        #expect(VhostNet.isAvailable() == (access(VhostNet.devicePath, R_OK | W_OK) == 0))
    }

    @Test("microvm: the same NICs on virtio-net-device (golden)")
    func microvm() throws {
        let spec = Self.spec(machine: .microvm)
        let nics = try AttachedNIC.resolve(spec.nics, project: "default", instance: spec.name)
        let argv = builder.argv(for: spec, disks: [], nics: nics, paths: paths, accelerator: .tcg)
        try Golden.check("network-microvm.argv", argv)
        #expect(try objects("-device", in: argv).filter { $0["netdev"] != nil }.allSatisfy { $0["driver"] == "virtio-net-device" })
    }

    @Test("the tap follows the project and instance; the netdev and device ids follow the position")
    func resolve() throws {
        let nics = [NICSpec(), NICSpec(network: "web", mac: Self.webMAC)]
        let attached = try AttachedNIC.resolve(nics, project: "prod", instance: "db-1")
        let tap = LinkNames.tap(for: NICIdentity(project: "prod", instance: "db-1", index: 1))
        #expect(attached == [
            AttachedNIC(index: 0, backend: .user(hostForwards: [])),
            AttachedNIC(index: 1, backend: .tap(tap), mac: Self.webMAC),
        ])
        #expect(attached[1].netdevID == "net1" && attached[1].deviceID == "net1-nic")
        #expect(attached[1].description == "NIC eth1 on tap \(tap)")
        #expect(tap != LinkNames.tap(for: NICIdentity(project: "default", instance: "db-1", index: 1)))
    }

    @Test("a user NIC with a MAC passes it to its device; without one QEMU picks")
    func userMAC() throws {
        let spec = InstanceSpec(name: "web-1", kernel: "/k", nics: [NICSpec(mac: Self.webMAC), NICSpec()])
        let argv = try builder.argv(for: spec, project: "default", paths: paths, accelerator: .tcg) { _ in throw TestSetupError("none") }
        let devices = try objects("-device", in: argv).filter { $0["netdev"] != nil }
        #expect(devices.map { $0["mac"] } == [Self.webMAC.description, nil])
        #expect(try objects("-netdev", in: argv).map { $0["type"] } == ["user", "user"])
    }

    @Test("a network NIC without a stored MAC does not start: a made-up one would miss its DHCP reservation")
    func missingMAC() {
        let spec = InstanceSpec(name: "web-1", kernel: "/k", nics: [NICSpec(network: "web")])
        let error = #expect(throws: JoistError.self) {
            try builder.argv(for: spec, project: "default", paths: paths, accelerator: .tcg) { _ in throw TestSetupError("none") }
        }
        #expect(error?.code == .invalidState)
        #expect(error?.message == "NIC eth0 of instance web-1 (network=web) has no MAC address: remove the NIC and add it again to get one")
    }
}
