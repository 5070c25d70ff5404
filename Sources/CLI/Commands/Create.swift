import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

/// `joist create NAME …`: define a new (stopped) virtual machine.
struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a virtual machine (stopped).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Instance name: letters, digits and '-', starting with a letter.") var name: String
    @Option(help: "Kernel image to boot directly (default: the firmware boots the disks, then the CD-ROM).") var kernel: String?
    @OptionGroup var options: InstanceOptions
    @Flag(help: "Start the instance after creating it.") var start = false

    func run() async throws {
        let client = global.client()
        _ = try await client.call(
            .POST, global.scoped("/1.0/instances"), body: try options.request(name: name, kernel: kernel), as: Instance.self)
        if start { try await client.start(name, global: global) }
    }
}

/// The configuration `joist create` and `joist launch` share.
struct InstanceOptions: ParsableArguments {
    @Option(help: "Initramfs.") var initrd: String?
    @Option(help: "Kernel command line.") var cmdline: String?
    @Option(help: "Number of virtual CPUs.") var cpus: Int?
    @Option(help: "Guest RAM, e.g. 512MiB or 2GiB.") var memory: String?
    @Option(
        name: .customLong("disk"),
        help: ArgumentHelp(
            "Disk: an image file (qcow2 or raw) or a pool volume POOL/NAME, with options; repeat for more.",
            discussion: "Form: SOURCE[,bus=virtio-blk|virtio-scsi][,cache=none|writeback|writethrough|directsync|unsafe][,discard=on|off]. A relative path is taken from the current directory (write ./NAME for a file whose path looks like POOL/NAME); ',,' is a comma in a path.",
            valueName: "disk")
    ) var disks: [String] = []
    @Option(
        name: .customLong("nic"),
        help: ArgumentHelp(
            "Network interface on a Joist network or QEMU's user-mode network; repeat for more.",
            discussion: "Forms: network=NAME[,mac=52:54:00:…][,ip=ADDRESS][,vlan=ID | ,tagged=ID:ID:…] (a stable MAC is chosen when not given; ip= becomes a DHCP reservation; vlan= makes an access port of one 802.1Q VLAN, tagged= a trunk of colon-separated VLANs, both needing a host kernel with bridge VLAN filtering), or user[,hostfwd=tcp:127.0.0.1:2222-:22].",
            valueName: "nic")
    ) var nics: [String] = []
    @Option(help: "Machine type: q35 or microvm.") var machine: MachineType?
    @Option(help: "Accelerator: auto, kvm or tcg.") var accel: AccelMode?
    @Option(help: "Display: std (a VGA card, seen over VNC in the web UI) or none; default std on q35, none on microvm.")
    var display: DisplayMode?
    @Option(
        name: .customLong("network"),
        help: ArgumentHelp("A NIC on this Joist network (the same as --nic network=NAME); repeat for more.", valueName: "name")
    ) var networks: [String] = []
    @Option(help: "ISO image (alias or fingerprint, see `joist image list`) for the CD-ROM drive.") var cdrom: String?
    @OptionGroup var cloudInit: CloudInitOptions

    /// The create request for instance `name` booting `kernel` (or the firmware), paths made absolute
    /// and cloud-init files read.
    func request(name: String, kernel: String?) throws -> InstanceCreate {
        let nics = nics + networks.map { "network=" + $0 }
        return InstanceCreate(
            name: name, kernel: kernel.map(Paths.absolute), initrd: initrd.map(Paths.absolute), cmdline: cmdline, cpus: cpus,
            memory: memory, disks: disks.map(Paths.absoluteDisk), nics: nics, machine: machine, accel: accel,
            cdrom: cdrom, cloudInit: try cloudInit.request(), display: display)
    }
}

extension APIClient {
    /// Starts an instance and waits for the operation, with the progress line.
    func start(_ name: String, global: GlobalOptions) async throws {
        try await runOperation(
            .PUT, global.scoped("/1.0/instances/\(APIClient.segment(name))/state"), body: InstanceStateChange(action: .start))
    }
}

extension MachineType: ExpressibleByArgument {}
extension AccelMode: ExpressibleByArgument {}
extension DisplayMode: ExpressibleByArgument {}

/// Paths typed on the command line are relative to the user's directory, not the daemon's.
enum Paths {
    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// A `--disk` value with a relative file path made absolute; a volume (`POOL/NAME`) is left alone.
    static func absoluteDisk(_ text: String) -> String {
        DiskSpec.absolutized(
            text, currentDirectory: FileManager.default.currentDirectoryPath,
            homeDirectory: FileManager.default.homeDirectoryForCurrentUser.path)
    }
}
