import JoistCore

/// Turns a build request into its ordered steps (pure): debootstrap into a folder, write the
/// recipe's files, enable its services and clean up, then a sparse raw disk with an MBR partition
/// table, an ext4 file system filled from the folder (`mkfs.ext4 -d`), GRUB for BIOS installed
/// from the host through a loop device, and the qcow2 conversion.
///
/// Every command is checked by the runner (a non-zero exit fails the build); mounts and loop
/// devices are only ever made inside the layout's folder, which `BuildCleanup` releases whether the
/// build succeeds, fails or is cancelled.
public struct BuildPlan: Sendable, Equatable {
    public var steps: [BuildStep]

    /// Whether the qcow2 is compressed (`qemu-img convert -c`): smaller to keep and copy, and reads
    /// that decompress cost little next to a guest booting under TCG.
    public static let compressed = true

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
                        "debootstrap", "--variant=minbase", .text("--arch=\(recipe.architecture.rawValue)"), "--components=main",
                        .text("--include=\(includes)"), .text(recipe.suite), .text(root), .text(request.mirror),
                    ])))
        // debootstrap may end well with packages left unconfigured; this fails the build then.
        steps.append(BuildStep("installing packages", .run(["chroot", .text(root), "/usr/bin/dpkg", "--configure", "--pending"])))

        let files = recipe.files + [
            ConfigFile("/etc/fstab", BootFiles.fstab(rootUUID: rootUUID)),
            ConfigFile("/boot/grub/grub.cfg", BootFiles.grubConfig(rootUUID: rootUUID, kernelCommandLine: recipe.kernelCommandLine)),
        ]
        for file in files {
            steps.append(BuildStep("configuring", .write(path: try Self.inside(root, file.path), contents: file.contents, mode: file.mode)))
        }
        if !recipe.services.isEmpty {
            steps.append(
                BuildStep("configuring", .run(["chroot", .text(root), "/usr/bin/systemctl", "enable"] + recipe.services.map(Word.text))))
        }
        steps.append(BuildStep("configuring", .run(["chroot", .text(root), "/usr/bin/apt-get", "clean"])))
        steps.append(BuildStep("configuring", .run(["find", .text(root + "/var/lib/apt/lists"), "-type", "f", "-delete"])))
        for path in recipe.removals {
            steps.append(BuildStep("configuring", .remove(path: try Self.inside(root, path))))
        }

        steps += [
            BuildStep("partitioning", .run(["truncate", "--size", .text(String(request.size.bytes)), .text(layout.disk)])),
            BuildStep("partitioning", .write(path: layout.partitionScript, contents: BootFiles.partitionScript, mode: 0o644)),
            BuildStep(
                "partitioning", .run(["sfdisk", "--quiet", "--no-reread", "--no-tell-kernel", .text(layout.disk)], input: layout.partitionScript)),
            BuildStep("making the file system", .attachLoop(file: layout.disk)),
            BuildStep(
                "making the file system",
                .run(["mkfs.ext4", "-q", "-F", "-U", .text(rootUUID), "-L", "root", "-d", .text(root), .loopPartition])),
            BuildStep("installing the bootloader", .run(["mkdir", "-p", .text(layout.mountPoint)])),
            BuildStep("installing the bootloader", .run(["mount", "-t", "ext4", .loopPartition, .text(layout.mountPoint)])),
            BuildStep(
                "installing the bootloader",
                .run([
                    "grub-install", "--target=i386-pc", .text("--boot-directory=\(layout.mountPoint)/boot"),
                    "--modules=part_msdos ext2", "--no-floppy", .loopDevice,
                ])),
            BuildStep("installing the bootloader", .run(["umount", .text(layout.mountPoint)])),
            BuildStep("installing the bootloader", .detachLoop),
            BuildStep(
                "converting",
                .run(["qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2"] + (Self.compressed ? ["-c"] : []) + [.text(layout.disk), .text(layout.output)])),
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
