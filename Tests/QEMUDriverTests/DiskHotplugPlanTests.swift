import Foundation
import JoistCore
import QEMUDriver
import QMP
import Testing

@Suite("Disk hot-plug plans")
struct DiskHotplugPlanTests {
    static let volume = VolumeReference(pool: "default", name: "data")
    static let blk = AttachedDisk(
        spec: DiskSpec(volume: volume, cache: .uncached, discard: true), path: "/var/lib/joist/pools/default/data.qcow2",
        format: .qcow2)
    static let scsi = AttachedDisk(
        spec: DiskSpec(path: "/srv/scratch.img", bus: .virtioSCSI, cache: .writethrough), path: "/srv/scratch.img", format: .raw)

    @Test("attach: file node, format node, then the device behind a free root port (golden)")
    func attachBlk() throws {
        let steps = DiskHotplugPlan.attach(Self.blk, machine: .q35, at: .rootPort("port3"))
        try Golden.check("hotplug-attach-blk-q35.plan", steps.map(\.description))
        #expect(steps.map { $0.command?.name } == ["blockdev-add", "blockdev-add", "device_add"])
    }

    @Test("attach: a SCSI disk on a guest without a controller plugs the controller first (golden)")
    func attachSCSINewController() throws {
        let steps = DiskHotplugPlan.attach(Self.scsi, machine: .q35, at: .newSCSIController(rootPort: "port9"))
        try Golden.check("hotplug-attach-scsi-new-controller.plan", steps.map(\.description))
        #expect(steps.map { $0.command?.name } == ["blockdev-add", "blockdev-add", "device_add", "device_add"])
    }

    @Test("attach: a SCSI disk on the guest's controller; microvm's the same way", arguments: MachineType.allCases)
    func attachSCSI(machine: MachineType) throws {
        let steps = DiskHotplugPlan.attach(Self.scsi, machine: machine, at: .scsiController)
        try Golden.check("hotplug-attach-scsi.plan", steps.map(\.description))
    }

    @Test("detach: device_del, wait for DEVICE_DELETED, then the format node and the file node (golden)")
    func detach() throws {
        let steps = DiskHotplugPlan.detach(DiskNames(for: .volume(Self.volume)))
        try Golden.check("hotplug-detach.plan", steps.map(\.description))
        #expect(steps.map { $0.command?.name } == ["device_del", nil, "blockdev-del", "blockdev-del"])
    }

    @Test("a hot-plugged disk gets the same JSON and names as a boot disk", arguments: [blk, scsi])
    func sameAsArgv(disk: AttachedDisk) throws {
        let spec = InstanceSpec(name: "web-1", kernel: "/k", display: DisplayMode.none)  // no VGA card after the device
        let argv = QEMUArgvBuilder().argv(
            for: spec, disks: [disk], nics: [], paths: RuntimePaths(stateDirectory: "/s", instance: "web-1"), accelerator: .tcg)
        let blockdevs = argv.indices.filter { argv[$0] == "-blockdev" }.map { argv[$0 + 1] }
        let device = try #require(argv.indices.last { argv[$0] == "-device" && !argv[$0 + 1].contains("agent") }.map { argv[$0 + 1] })
        // Boot disk 0 sits behind port0; a hot-plugged one behind whichever port is free.
        let steps = DiskHotplugPlan.attach(disk, machine: .q35, at: disk.bus == .virtioBlk ? .rootPort("port0") : .scsiController)
        #expect(steps.compactMap { step -> String? in
            if case .blockdevAdd(_, let options) = step { return options.rendered }
            return nil
        } == blockdevs)
        #expect(steps.last?.command?.arguments.rendered == device)
        #expect(steps.last == .deviceAdd(id: disk.names.device, options: try #require(steps.last?.command?.arguments)))
    }

    @Test("placement follows the bus, the machine and what the guest has", arguments: [
        (blk, MachineType.q35, ["port8", "port9"], false, DiskPlacement.rootPort("port8")),
        (scsi, .q35, ["port8"], true, .scsiController),
        (scsi, .q35, ["port8"], false, .newSCSIController(rootPort: "port8")),
        (scsi, .microvm, [], true, .scsiController),
    ])
    func placement(disk: AttachedDisk, machine: MachineType, ports: [String], controller: Bool, expected: DiskPlacement) throws {
        #expect(try DiskHotplugPlan.placement(for: disk, machine: machine, freeRootPorts: ports, hasSCSIController: controller) == expected)
    }

    @Test("placement refuses what the guest cannot take while it runs", arguments: [
        (blk, MachineType.microvm, [String](), true), (scsi, .microvm, [], false), (blk, .q35, [], true), (scsi, .q35, [], false),
    ])
    func noPlacement(disk: AttachedDisk, machine: MachineType, ports: [String], controller: Bool) {
        let error = #expect(throws: JoistError.self) {
            try DiskHotplugPlan.placement(for: disk, machine: machine, freeRootPorts: ports, hasSCSIController: controller)
        }
        #expect(error?.code == .unsupported)
    }

    @Test("undo takes back finished steps, last first")
    func undo() {
        let steps = DiskHotplugPlan.attach(Self.scsi, machine: .q35, at: .newSCSIController(rootPort: "port9"))
        let names = Self.scsi.names
        #expect(DiskHotplugPlan.undo(Array(steps.prefix(3))) == [
            .deviceDel(id: "scsi0"), .awaitDeviceDeleted(id: "scsi0"),
            .blockdevDel(nodeName: names.node), .blockdevDel(nodeName: names.fileNode),
        ])
        #expect(DiskHotplugPlan.undo([]) == [])
    }

    @Test("free root ports are the builder's empty ones, in port order")
    func freePorts() {
        let disk = QMPPCIDevice(id: "disk-1-dev", bus: 1, slot: 0, function: 0)
        let devices = [
            QMPPCIDevice(id: "port10", bus: 0, slot: 11, function: 0, devicesBehind: []),
            QMPPCIDevice(id: "port1", bus: 0, slot: 2, function: 0, devicesBehind: [disk]),
            QMPPCIDevice(id: "port2", bus: 0, slot: 3, function: 0, devicesBehind: []),
            QMPPCIDevice(id: "portal", bus: 0, slot: 4, function: 0, devicesBehind: []),
            QMPPCIDevice(id: "port3", bus: 0, slot: 5, function: 0),
            QMPPCIDevice(id: "", bus: 0, slot: 31, function: 0),
        ]
        #expect(DiskHotplugPlan.freeRootPorts(in: devices) == ["port2", "port10"])
    }
}
