import Foundation
public import JoistCore

/// Turns an instance spec into QEMU's argv. Pure: same inputs, same argv (pinned by golden tests).
///
/// QEMU is started paused (`-S`) and daemonized with a QMP socket and a serial console socket; the
/// daemon connects to both, then continues the guest. Everything that carries user data goes through
/// the JSON forms of `-blockdev`, `-device` and `-netdev`; the few legacy option strings that hold paths
/// escape `,` by doubling it, which is QEMU's own quoting.
public struct QEMUArgvBuilder: Sendable {
    public var binary: String

    public init(binary: String = "qemu-system-x86_64") {
        self.binary = binary
    }

    /// The full argv, binary first, with the spec's disks resolved by `resolveVolume` (see
    /// `AttachedDisk.resolve`) and its NICs as instance `spec.name` of `project` has them (see
    /// `AttachedNIC.resolve`).
    public func argv(
        for spec: InstanceSpec, project: String, paths: RuntimePaths, accelerator: Accelerator,
        resolveVolume: AttachedDisk.VolumeResolver
    ) throws -> [String] {
        let disks = try AttachedDisk.resolve(spec.disks, resolveVolume: resolveVolume)
        let nics = try AttachedNIC.resolve(spec.nics, project: project, instance: spec.name)
        return argv(for: spec, disks: disks, nics: nics, paths: paths, accelerator: accelerator)
    }

    /// The full argv, binary first; `disks` are the spec's disks, already resolved, and stand in for
    /// them, followed by the CD-ROM drive when the spec has one (`AttachedDisk.cdrom`) and the
    /// cloud-init seed when it has one (`AttachedDisk.cloudInitSeed`); `nics` stand
    /// in for the spec's NICs the same way.
    public func argv(
        for spec: InstanceSpec, disks: [AttachedDisk], nics: [AttachedNIC], paths: RuntimePaths, accelerator: Accelerator
    ) -> [String] {
        let disks = spec.bootsFromFirmware ? Self.bootOrder(disks) : disks
        var args = [binary]
        args += ["-name", "guest=\(spec.name),debug-threads=on"]
        args += ["-nodefaults", "-no-user-config", "-display", "none"]
        args += machine(spec.machine, accelerator: accelerator)
        args += ["-smp", String(spec.cpus), "-m", "\(spec.memory.mebibytes)M"]
        args += ["-S", "-daemonize", "-pidfile", paths.pidFile]
        args += ["-chardev", "socket,id=qmp,path=\(Self.escaped(paths.qmpSocket)),server=on,wait=off"]
        args += ["-mon", "chardev=qmp,mode=control"]
        args += ["-chardev", "socket,id=serial0,path=\(Self.escaped(paths.serialSocket)),server=on,wait=off"]
        args += ["-serial", "chardev:serial0"]
        if let kernel = spec.kernel {
            args += ["-kernel", kernel]
            if let initrd = spec.initrd { args += ["-initrd", initrd] }
            args += ["-append", spec.cmdline]
        }
        if spec.machine == .q35 { args += ["-device", device("pvpanic", id: "panic0", [])] }
        args += diskArgs(disks, nicCount: nics.count, machine: spec.machine)
        for (nic, port) in zip(nics, nicPorts(nics, disks: disks, machine: spec.machine)) {
            args += ["-netdev", NICLayout.netdev(nic).rendered, "-device", NICLayout.device(nic, machine: spec.machine, port: port).rendered]
        }
        args += guestAgentChannel(machine: spec.machine, socket: paths.guestAgentSocket)
        if spec.effectiveDisplay == .std { args += display(socket: paths.vncSocket) }
        return args
    }

    /// The firmware tries the disks in the instance's order, then the CD-ROM: a blank disk has no boot
    /// signature, so an installer on the CD-ROM boots until it has installed onto the first disk.
    /// Drives that are not bootable (the cloud-init seed) come last, with no boot index.
    static func bootOrder(_ disks: [AttachedDisk]) -> [AttachedDisk] {
        let bootable = disks.filter(\.bootable)
        let ordered = bootable.filter { $0.media == .disk } + bootable.filter { $0.media == .cdrom }
        return ordered.enumerated().map { index, disk in
            var disk = disk
            disk.bootIndex = index + 1
            return disk
        } + disks.filter { !$0.bootable }
    }

    private func machine(_ type: MachineType, accelerator: Accelerator) -> [String] {
        var args: [String]
        switch type {
        case .q35: args = ["-machine", "q35"]
        case .microvm: args = ["-machine", "microvm,acpi=on,pcie=off,rtc=on"]
        }
        args += ["-accel", accelerator.rawValue]
        if accelerator == .kvm { args += ["-cpu", "host"] }
        return args
    }

    /// A virtio-serial port named `org.qemu.guest_agent.0` (where qemu-ga looks) on a socket in the
    /// runtime folder, for `GuestAgentClient`. Last in the argv: on q35 the controller sits on the
    /// root bus, and coming after every other device it leaves their slots where they were before
    /// guests had it. A guest with no agent just never opens the port.
    private func guestAgentChannel(machine: MachineType, socket: String) -> [String] {
        let controller = machine == .microvm ? "virtio-serial-device" : "virtio-serial-pci"
        return [
            "-chardev", "socket,id=\(Self.guestAgentChardev),path=\(Self.escaped(socket)),server=on,wait=off",
            "-device", device(controller, id: "agent-serial", []),
            "-device",
            device("virtserialport", id: "agent-port", [
                ("bus", .string("agent-serial.0")), ("chardev", .string(Self.guestAgentChardev)), ("name", .string(Self.guestAgentPortName)),
            ]),
        ]
    }

    /// A standard VGA card and QEMU's VNC server on a Unix socket (no TCP port, no password: only the
    /// daemon reaches the socket, and the API decides who may look). Independent of `-display none`.
    /// After the agent's channel, so every device before it keeps the slot it had before guests had a
    /// display. Clients may share the screen; the API forces the shared flag, so none is ever dropped.
    private func display(socket: String) -> [String] {
        ["-device", device("VGA", id: "video0", []), "-vnc", "unix:\(Self.escaped(socket))"]
    }

    /// The port name qemu-ga opens (`/dev/virtio-ports/org.qemu.guest_agent.0` in the guest).
    public static let guestAgentPortName = "org.qemu.guest_agent.0"
    /// The id of the agent's character device (`query-chardev` tells whether the guest opened it).
    public static let guestAgentChardev = "agent0"

    private func device(_ driver: String, id: String, _ properties: [(String, QEMUJSON)]) -> String {
        QEMUJSON.object([("driver", .string(driver)), ("id", .string(id))] + properties).rendered
    }

    /// Quotes a value inside a QEMU option string: `,` separates options, `,,` is a literal comma.
    static func escaped(_ value: String) -> String {
        value.replacingOccurrences(of: ",", with: ",,")
    }
}
