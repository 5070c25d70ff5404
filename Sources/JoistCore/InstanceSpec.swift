import Foundation

/// The full, validated configuration of a virtual machine: everything needed to build its QEMU argv.
///
/// This is what the store and the recovery file hold; runtime facts (state, pid) live elsewhere.
public struct InstanceSpec: Codable, Sendable, Equatable {
    public var name: String
    /// The kernel QEMU boots directly; without one, the firmware boots from the disks, then the CD-ROM.
    public var kernel: String?
    public var initrd: String?
    /// The kernel's command line (unused when the firmware boots).
    public var cmdline: String
    public var cpus: Int
    public var memory: ByteSize
    public var disks: [DiskSpec]
    public var nics: [NICSpec]
    public var machine: MachineType
    public var accel: AccelMode
    /// The fingerprint of the ISO image in the CD-ROM drive, if any.
    public var cdrom: String?
    /// What the instance's cloud-init seed (a `cidata` CD-ROM) is made from; nil: no seed.
    public var cloudInit: CloudInitSettings?
    /// The graphical display; nil: the machine's default (see `effectiveDisplay`), so a spec stored
    /// before displays existed, or one whose machine changes, needs no rewriting.
    public var display: DisplayMode?

    public init(
        name: String, kernel: String? = nil, initrd: String? = nil, cmdline: String = "console=ttyS0",
        cpus: Int = 1, memory: ByteSize = .mebibytes(512), disks: [DiskSpec] = [], nics: [NICSpec] = [],
        machine: MachineType = .q35, accel: AccelMode = .auto, cdrom: String? = nil,
        cloudInit: CloudInitSettings? = nil, display: DisplayMode? = nil
    ) {
        self.name = name
        self.kernel = kernel
        self.initrd = initrd
        self.cmdline = cmdline
        self.cpus = cpus
        self.memory = memory
        self.disks = disks
        self.nics = nics
        self.machine = machine
        self.accel = accel
        self.cdrom = cdrom
        self.cloudInit = cloudInit
        self.display = display
    }

    /// Whether the firmware boots the guest from its disks and CD-ROM (no kernel is given).
    public var bootsFromFirmware: Bool { kernel == nil }

    /// Whether the instance gets a cloud-init seed CD-ROM: only when some cloud-init input is set.
    public var hasCloudInitSeed: Bool { cloudInit?.hasInput == true }

    /// The display the guest gets: the one set, else the machine's default (`std` on q35, `none` on
    /// microvm, which has no PCI bus for a VGA card).
    public var effectiveDisplay: DisplayMode { display ?? (machine == .q35 ? .std : .none) }
}

/// The graphical display of a guest, seen through the API's VNC route.
public enum DisplayMode: String, Codable, Sendable, CaseIterable {
    /// A standard VGA card, shown by QEMU's VNC server on a Unix socket in the runtime folder.
    case std
    /// No display: the serial console only.
    case none
}

/// QEMU machine types Joist supports.
public enum MachineType: String, Codable, Sendable, CaseIterable {
    /// The default PC machine: ACPI, PCIe, the widest guest support.
    case q35
    /// A minimal machine with virtio-mmio devices that boots faster.
    case microvm
}

/// How the guest's CPU is run.
public enum AccelMode: String, Codable, Sendable, CaseIterable {
    /// KVM when the host proves it runs guests, TCG otherwise.
    case auto
    case kvm
    case tcg
}

/// The accelerator a running instance actually uses.
public enum Accelerator: String, Codable, Sendable {
    case kvm
    case tcg
}

/// What the host offers; validation refuses specs that ask for more.
public struct HostResources: Sendable, Equatable {
    public var cpus: Int
    public var memory: ByteSize

    public init(cpus: Int, memory: ByteSize) {
        self.cpus = cpus
        self.memory = memory
    }
}
