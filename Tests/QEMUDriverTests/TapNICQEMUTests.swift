import Foundation
import HostKit
import JoistCore
import JoistTesting
import Logging
import Networking
import QEMUDriver
import QMP
import Testing

/// The argv's tap NICs against a real QEMU, started paused (`-S`) inside a network namespace of the
/// test's own that holds the tap devices, so nothing touches the host's interfaces.
@Suite("Tap NICs in a real QEMU", .enabled(if: TestNetworkNamespace.available), .timeLimit(.minutes(2)))
struct TapNICQEMUTests {
    static let project = "default"

    @Test("QEMU opens the tap the argv names, with a virtio-net device carrying the stored MAC; a second NIC hot-plugs behind a root port")
    func tapNIC() async throws {
        try await withTemporaryDirectory(prefix: "jtap") { directory in
            try await TestNetworkNamespace.with { namespace in
                let spec = InstanceSpec(
                    name: "tapnic", memory: .mebibytes(128),
                    nics: StableMACs.assign(to: [NICSpec(), NICSpec(network: "web")], project: Self.project, instance: "tapnic"),
                    accel: .tcg)
                let mac = try #require(spec.nics[1].mac)
                let taps = (1...2).map { LinkNames.tap(for: NICIdentity(project: Self.project, instance: spec.name, index: $0)) }
                for tap in taps {
                    try await namespace.ip(["tuntap", "add", "dev", tap, "mode", "tap"])
                    try await namespace.ip(["link", "set", tap, "up"])
                }
                // Up, but nobody has the tap open yet: no carrier.
                #expect(try await namespace.read("/sys/class/net/\(taps[0])/carrier") == "0")

                let qemu = try await PausedQEMU.launch(spec, project: Self.project, in: directory, namespace: namespace)
                defer { qemu.terminate() }
                let qmp = qemu.qmp

                #expect(try await namespace.read("/sys/class/net/\(taps[0])/carrier") == "1")
                let network = try await qmp.humanMonitorCommand("info network")
                #expect(network.contains("net1: index=0,type=tap,ifname=\(taps[0]),script=no,downscript=no"))
                // Behind a root port of its own (the user NIC has port0), so it can be unplugged.
                #expect(try await qemu.property("parent_bus", of: "net1-nic") == "/machine/peripheral/port1/port1")
                #expect(try await qemu.mac(of: "net1-nic") == mac.description)
                #expect(try await qemu.driver(of: "net1-nic") == "virtio-net-pci")

                // Hot-plug: the netdev opens the second tap, the device goes behind the first free root port.
                let added = NICSpec(network: "web", mac: MACAddress.stable(for: NICIdentity(project: Self.project, instance: spec.name, index: 2)))
                let nic = try AttachedNIC(resolving: added, identity: NICIdentity(project: Self.project, instance: spec.name, index: 2))
                try await NICHotplugger(qmp: qmp, machine: .q35).attach(nic)
                #expect(try await namespace.read("/sys/class/net/\(taps[1])/carrier") == "1")
                // The firmware has not numbered the buses yet, so query-pci shows nothing behind the
                // ports; QOM knows where the device sits.
                #expect(try await qemu.property("parent_bus", of: "net2-nic") == "/machine/peripheral/port0/port0")
                #expect(try await qemu.mac(of: "net2-nic") == added.mac?.description)

                try await qmp.quit()
                await qmp.waitUntilClosed()
            }
        }
    }
}

/// A QEMU started from the builder's argv inside a network namespace, paused, with QMP connected.
struct PausedQEMU {
    let qmp: QMPClient
    let pid: Int32

    static func launch(_ spec: InstanceSpec, project: String, in directory: String, namespace: TestNetworkNamespace) async throws -> PausedQEMU {
        let paths = RuntimePaths(stateDirectory: directory, instance: spec.name)
        try FileManager.default.createDirectory(atPath: paths.directory, withIntermediateDirectories: true)
        let argv = try QEMUArgvBuilder(binary: try HostTools.path(of: "qemu-system-x86_64"))
            .argv(for: spec, project: project, paths: paths, accelerator: .tcg) { _ in throw TestSetupError("no volumes here") }
        guard try await ProcessSpawner.run(namespace.exec + argv, outputPath: paths.qemuLog) == 0 else {
            throw TestSetupError("QEMU failed: \(QEMULauncher.tail(of: paths.qemuLog))")
        }
        let pidText = try String(contentsOfFile: paths.pidFile, encoding: .utf8)
        let pid = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        do {
            let qmp = try await QMPClient.connect(path: paths.qmpSocket, timeout: hangTimeout, logger: Logger(label: "test"))
            return PausedQEMU(qmp: qmp, pid: pid)
        } catch {
            HostProcess.kill(pid)
            throw error
        }
    }

    /// The `mac` property of device `id`.
    func mac(of id: String) async throws -> String? {
        try await property("mac", of: id)
    }

    /// A string property of device `id`. Maps to QMP `qom-get`.
    func property(_ name: String, of id: String) async throws -> String? {
        try await qmp.execute("qom-get", arguments: ["path": .string("/machine/peripheral/\(id)"), "property": .string(name)]).stringValue
    }

    /// The QOM type of device `id` (its driver).
    func driver(of id: String) async throws -> String? {
        try await qmp.qomList(path: "/machine/peripheral").first { $0.name == id }?.childType
    }

    func terminate() {
        if HostProcess.isAlive(pid) { HostProcess.kill(pid) }
    }
}
