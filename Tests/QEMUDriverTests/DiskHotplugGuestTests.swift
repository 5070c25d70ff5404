import Foundation
import HostKit
import JoistCore
import JoistTestTraits
import JoistTesting
import Logging
import QEMUDriver
import QMP
import Testing

/// Hot-plug against a real QEMU running the test guest under TCG: the guest's own view (`/sys/block`)
/// shows each step, and QEMU's (`query-named-block-nodes`, `qom-list`) shows nothing is left behind.
@Suite("Disk hot-plug in a real guest", .bootsGuests, .enabled(if: HostTools.available), .timeLimit(.minutes(15)))
struct DiskHotplugGuestTests {
    @Test("a qcow2 plugged into a running guest appears, grows online, and leaves cleanly; a SCSI disk brings its controller")
    func hotplug() async throws {
        try await withTemporaryDirectory(prefix: "jhp") { directory in
            let guest = try await GuestUnderTest.boot(in: directory)
            defer { guest.terminate() }
            let console = guest.console
            let hotplugger = DiskHotplugger(qmp: guest.qmp, machine: .q35)
            #expect(try await console.run("ls -1 /sys/block") == ["vda"])

            let extraPath = try await HostTools.image(in: directory, named: "extra.qcow2", size: "32M")
            let extra = DiskSpec(path: extraPath, format: .qcow2)
            let names = DiskNames(for: extra.source)
            try await hotplugger.attach(AttachedDisk(spec: extra, path: extraPath, format: .qcow2))
            #expect(try await guest.eventually(["vda", "vdb"], from: "ls -1 /sys/block"))
            #expect(try await console.run("cat /sys/block/vdb/size") == ["65536"])

            try await hotplugger.resize(extra, to: .mebibytes(64))
            #expect(try await guest.eventually(["131072"], from: "cat /sys/block/vdb/size"))
            let grown = try await guest.qmp.queryNamedBlockNodes().first { $0.nodeName == names.node }
            #expect(grown?.virtualSize == 64 << 20)
            #expect(grown?.file == extraPath)

            try await hotplugger.detach(extra)
            #expect(try await console.run("ls -1 /sys/block") == ["vda"])
            let nodes = try await guest.qmp.queryNamedBlockNodes().map(\.nodeName)
            #expect(!nodes.contains(names.node) && !nodes.contains(names.fileNode))
            #expect(nodes.count == 2, "the boot disk's two nodes remain: \(nodes)")

            // A SCSI disk brings its controller (virtio 1af4:1048) on a free port; the guest sees sda.
            let scsiPath = try await HostTools.image(in: directory, named: "scsi.qcow2", size: "16M")
            let scsi = DiskSpec(path: scsiPath, format: .qcow2, bus: .virtioSCSI, cache: .writethrough, discard: true)
            let scsiNames = DiskNames(for: scsi.source)
            let pciIDs = "cat /sys/bus/pci/devices/*/vendor /sys/bus/pci/devices/*/device | grep -c 0x1048"
            #expect(try await console.run(pciIDs) == ["0"])
            try await hotplugger.attach(AttachedDisk(spec: scsi, path: scsiPath, format: .qcow2))
            #expect(try await guest.eventually(["1"], from: pciIDs))
            #expect(try await guest.eventually(["sda", "vda"], from: "ls -1 /sys/block"))
            #expect(try await console.run("cat /sys/block/sda/size") == ["32768"])
            let devices = try await guest.qmp.qomList(path: "/machine/peripheral")
            #expect(devices.first { $0.name == "scsi0" }?.childType == "virtio-scsi-pci")
            #expect(devices.first { $0.name == scsiNames.device }?.childType == "scsi-hd")

            try await hotplugger.detach(scsi)
            #expect(try await guest.eventually(["vda"], from: "ls -1 /sys/block"))
            let after = try await guest.qmp.qomList(path: "/machine/peripheral").map(\.name)
            #expect(!after.contains(scsiNames.device) && after.contains("scsi0"))
            #expect(try await !guest.qmp.queryNamedBlockNodes().contains { $0.nodeName.hasPrefix(scsiNames.node) })
            try await guest.qmp.quit()
        }
    }
}

/// The test guest booted from the argv the builder makes, with one boot disk, its QMP connected and
/// its console at the shell prompt.
struct GuestUnderTest {
    let qmp: QMPClient
    let console: SerialConsole
    let pid: Int32

    /// Boots instance `name` of project `default` with `nics`; `launchPrefix` goes before QEMU's
    /// argv (`ip netns exec NS` for a guest whose taps are in a namespace).
    static func boot(
        in directory: String, name: String = "hotplug", nics: [NICSpec] = [], launchPrefix: [String] = []
    ) async throws -> GuestUnderTest {
        let files = try await TestGuest.locate()
        let boot = try await HostTools.image(in: directory, named: "boot.qcow2", size: "64M")
        let spec = InstanceSpec(
            name: name, kernel: files.kernel, initrd: files.initrd, cmdline: TestGuest.cmdline, memory: .mebibytes(256),
            disks: [DiskSpec(path: boot, format: .qcow2)], nics: nics, accel: .tcg)
        let paths = RuntimePaths(stateDirectory: directory, instance: spec.name)
        try FileManager.default.createDirectory(atPath: paths.directory, withIntermediateDirectories: true)
        let argv = try QEMUArgvBuilder(binary: try HostTools.path(of: "qemu-system-x86_64"))
            .argv(for: spec, project: "default", paths: paths, accelerator: .tcg) { _ in throw TestSetupError("no volumes here") }
        guard try await ProcessSpawner.run(launchPrefix + argv, outputPath: paths.qemuLog) == 0 else {
            throw TestSetupError("QEMU failed: \(QEMULauncher.tail(of: paths.qemuLog))")
        }
        let pidText = try String(contentsOfFile: paths.pidFile, encoding: .utf8)
        let pid = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        do {
            let qmp = try await QMPClient.connect(path: paths.qmpSocket, timeout: hangTimeout, logger: Logger(label: "test"))
            let console = try SerialConsole(path: paths.serialSocket)
            try await qmp.cont()
            _ = try await console.take(until: TestGuest.readyMarker)
            return GuestUnderTest(qmp: qmp, console: console, pid: pid)
        } catch {
            HostProcess.kill(pid)
            throw error
        }
    }

    /// Runs `command` until it prints `expected` (the guest takes a moment to see a new device or
    /// size); returns whether it did within a bounded number of tries.
    func eventually(_ expected: [String], from command: String) async throws -> Bool {
        for _ in 0..<100 {
            if try await console.run(command) == expected { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    func terminate() {
        console.close()
        if HostProcess.isAlive(pid) { HostProcess.kill(pid) }
    }
}

/// The host tools the real-guest tests use.
enum HostTools {
    static var available: Bool {
        (try? path(of: "qemu-system-x86_64")) != nil && (try? path(of: "qemu-img")) != nil
    }

    /// The absolute path of `tool` on `PATH`.
    static func path(of tool: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(tool)") {
            return "\(directory)/\(tool)"
        }
        throw TestSetupError("\(tool) is not on PATH")
    }

    /// Creates an empty qcow2 image of `size` in `directory`.
    static func image(in directory: String, named name: String, size: String) async throws -> String {
        let image = directory + "/" + name
        let result = try await CommandRunner.run(try path(of: "qemu-img"), ["create", "-q", "-f", "qcow2", image, size])
        guard result.succeeded else { throw TestSetupError("qemu-img create failed: \(result)") }
        return image
    }
}
