import Foundation
import JoistCore
import QEMUDriver
import Testing

@Suite("NIC hot-plug plans")
struct NICHotplugPlanTests {
    static let nic = AttachedNIC(index: 2, backend: .tap("jt-0ef0e05d29bb"), mac: MACAddress(qemuSuffix: 0x0e_f0e0))

    @Test("attach: the tap netdev, then the device behind a free root port (golden)")
    func attach() throws {
        let steps = NICHotplugPlan.attach(Self.nic, machine: .q35, rootPort: "port3")
        try Golden.check("hotplug-attach-nic-q35.plan", steps.map(\.description))
        #expect(steps.map { $0.command?.name } == ["netdev_add", "device_add"])
    }

    @Test("detach: device_del, wait for DEVICE_DELETED, then netdev_del (golden)")
    func detach() throws {
        let steps = NICHotplugPlan.detach(Self.nic)
        try Golden.check("hotplug-detach-nic.plan", steps.map(\.description))
        #expect(steps == [.deviceDel(id: "net2-nic"), .awaitDeviceDeleted(id: "net2-nic"), .netdevDel(id: "net2")])
    }

    @Test("a hot-plugged NIC gets the same JSON as at boot, behind the root port it is given", arguments: [
        nic, AttachedNIC(index: 0, backend: .user(hostForwards: [HostForward(proto: .udp, hostAddress: "", hostPort: 53, guestPort: 53)])),
    ])
    func sameAsArgv(nic: AttachedNIC) throws {
        let spec = InstanceSpec(name: "web-1", kernel: "/k", display: DisplayMode.none)  // no VGA card after the device
        let argv = QEMUArgvBuilder().argv(
            for: spec, disks: [], nics: [nic], paths: RuntimePaths(stateDirectory: "/s", instance: "web-1"), accelerator: .tcg)
        let netdev = try #require(argv.firstIndex(of: "-netdev").map { argv[$0 + 1] })
        let device = try #require(argv.indices.last { argv[$0] == "-device" && !argv[$0 + 1].contains("agent") }.map { argv[$0 + 1] })
        let steps = NICHotplugPlan.attach(nic, machine: .q35, rootPort: "port5")
        #expect(steps.first == .netdevAdd(id: nic.netdevID, options: try #require(steps.first?.command?.arguments)))
        #expect(steps.first?.command?.arguments.rendered == netdev)
        // At boot the NIC sits behind its own root port (port0: no disks here), hot-plugged behind a free one.
        #expect(device.hasSuffix(#","bus":"port0"}"#))
        #expect(steps.last?.command?.arguments.rendered == device.replacingOccurrences(of: #""bus":"port0""#, with: #""bus":"port5""#))
    }

    @Test("the first free root port on q35; none on microvm, nor when every port is taken")
    func rootPort() throws {
        #expect(try NICHotplugPlan.rootPort(for: Self.nic, machine: .q35, freeRootPorts: ["port7", "port8"]) == "port7")
        for (machine, ports) in [(MachineType.microvm, ["port1"]), (.q35, [])] {
            let error = #expect(throws: JoistError.self) {
                try NICHotplugPlan.rootPort(for: Self.nic, machine: machine, freeRootPorts: ports)
            }
            #expect(error?.code == .unsupported)
        }
    }

    @Test("undo takes back the netdev and the device, last first")
    func undo() {
        let steps = NICHotplugPlan.attach(Self.nic, machine: .q35, rootPort: "port3")
        #expect(NICHotplugPlan.undo(steps) == [.deviceDel(id: "net2-nic"), .awaitDeviceDeleted(id: "net2-nic"), .netdevDel(id: "net2")])
        #expect(NICHotplugPlan.undo(Array(steps.prefix(1))) == [.netdevDel(id: "net2")])
    }
}
