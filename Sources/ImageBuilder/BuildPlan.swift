import JoistCore

/// Turns a build request into its ordered steps (pure): debootstrap into a folder, write the
/// recipe's files, enable its services and clean up, then a sparse raw disk with an MBR partition
/// table, an ext4 file system filled from the folder (`mkfs.ext4 -d`, written at the partition's
/// offset), GRUB for BIOS from the host's modules, and the qcow2 conversion.
///
/// GRUB goes in as `grub-bios-setup` would put it, without its probing: boot.img's code in the MBR
/// (the partition table after it is kept) and a core image, whose prefix names the partition, in the
/// gap before the partition. So the build needs no loop device and no mount of its own; it works
/// wherever debootstrap does. Every command is checked by the runner (a non-zero exit fails the
/// build), and `BuildCleanup` releases the layout's folder whether the build succeeds, fails or is
/// cancelled.
public struct BuildPlan: Sendable, Equatable {
    public var steps: [BuildStep]

    /// Whether the qcow2 is compressed (`qemu-img convert -c`): smaller to keep and copy, and reads
    /// that decompress cost little next to a guest booting under TCG.
    public static let compressed = true

    /// A plan of the given steps.
    init(steps: [BuildStep]) {
        self.steps = steps
    }

    /// The plan for `request` in `layout`, the root file system getting `rootUUID`.
    public init(_ request: BuildRequest, layout: BuildLayout, rootUUID: String) throws(JoistError) {
        let recipe = request.recipe
        let root = layout.root
        var steps: [BuildStep] = []
        let includes = recipe.packages.joined(separator: ",")
        steps.append(
            BuildStep(
                "installing packages",
                .run(
                    [
                        "debootstrap", "--variant=minbase", "--arch=\(recipe.architecture.rawValue)", "--components=main",
                        "--include=\(includes)", recipe.suite, root, request.mirror,
                    ])))
        // debootstrap may end well with packages left unconfigured; this fails the build then.
        steps.append(BuildStep("installing packages", .run(["chroot", root, "/usr/bin/dpkg", "--configure", "--pending"])))

        let files = recipe.files + [
            ConfigFile("/etc/fstab", BootFiles.fstab(rootUUID: rootUUID)),
            ConfigFile("/boot/grub/grub.cfg", BootFiles.grubConfig(rootUUID: rootUUID, kernelCommandLine: recipe.kernelCommandLine)),
        ]
        for file in files {
            steps.append(BuildStep("configuring", .write(path: try Self.inside(root, file.path), contents: file.contents, mode: file.mode)))
        }
        if !recipe.services.isEmpty {
            steps.append(
                BuildStep("configuring", .run(["chroot", root, "/usr/bin/systemctl", "enable"] + recipe.services)))
        }
        steps.append(BuildStep("configuring", .run(["chroot", root, "/usr/bin/apt-get", "clean"])))
        steps.append(BuildStep("configuring", .run(["find", root + "/var/lib/apt/lists", "-type", "f", "-delete"])))
        for path in recipe.removals {
            steps.append(BuildStep("configuring", .remove(path: try Self.inside(root, path))))
        }

        steps += [
            BuildStep("partitioning", .run(["truncate", "--size", String(request.size.bytes), layout.disk])),
            BuildStep("partitioning", .write(path: layout.partitionScript, contents: BootFiles.partitionScript, mode: 0o644)),
            BuildStep("partitioning", .run(["sfdisk", "--quiet", "--no-reread", "--no-tell-kernel", layout.disk], input: layout.partitionScript)),
            // GRUB's modules go in with the files, so the file system needs no mounting afterwards.
            BuildStep("making the file system", .run(["cp", "-R", Grub.modules, root + "/boot/grub/"])),
            BuildStep(
                "making the file system",
                .run([
                    "mkfs.ext4", "-q", "-F", "-U", rootUUID, "-L", "root", "-d", root, "-E", "offset=\(BootFiles.partitionOffset)", layout.disk,
                    "\((request.size.bytes - BootFiles.partitionOffset) / 1024)k",
                ])),
            BuildStep(
                "installing the bootloader",
                .run(["grub-mkimage", "-O", "i386-pc", "-o", layout.coreImage, "-p", "(hd0,msdos1)/boot/grub"] + Grub.coreModules)),
            BuildStep("installing the bootloader", .run(["dd", "if=\(Grub.bootImage)", "of=\(layout.disk)", "bs=440", "count=1", "conv=notrunc", "status=none"])),
            BuildStep(
                "installing the bootloader", .run(["dd", "if=\(layout.coreImage)", "of=\(layout.disk)", "bs=512", "seek=1", "conv=notrunc", "status=none"])),
            BuildStep(
                "converting",
                .run(["qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2"] + (Self.compressed ? ["-c"] : []) + [layout.disk, layout.output])),
        ]
        self.steps = steps
    }

    /// The distinct stages, in order: what progress counts through.
    public var stages: [String] {
        steps.reduce(into: []) { stages, step in if stages.last != step.stage { stages.append(step.stage) } }
    }

    /// `path` (absolute, without `..`) inside the installed system at `root`.
    static func inside(_ root: String, _ path: String) throws(JoistError) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard path.hasPrefix("/"), !parts.dropFirst().contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw .invalidArgument("a recipe's file path must be absolute and plain, not '\(path)'")
        }
        return root + path
    }
}
