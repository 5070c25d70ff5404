/// The files that tie the disk to its file system: fstab and GRUB's configuration, both naming the
/// root file system by the UUID the build gives it.
public enum BootFiles {
    /// `/etc/fstab`: the root file system by UUID.
    public static func fstab(rootUUID: String) -> String {
        "# <file system> <mount point> <type> <options> <dump> <pass>\nUUID=\(rootUUID) / ext4 errors=remount-ro 0 1\n"
    }

    /// `/boot/grub/grub.cfg`: boots `/vmlinuz` and `/initrd.img` at once, no menu or splash. Debian
    /// keeps those links pointing at the newest kernel, so a kernel upgraded in the guest boots
    /// without regenerating this file.
    public static func grubConfig(rootUUID: String, kernelCommandLine: String) -> String {
        """
        set default=0
        set timeout=0
        set timeout_style=hidden
        insmod part_msdos
        insmod ext2
        search --no-floppy --fs-uuid --set=root \(rootUUID)
        menuentry 'Debian GNU/Linux' {
            linux /vmlinuz root=UUID=\(rootUUID) ro \(kernelCommandLine)
            initrd /initrd.img
        }

        """
    }

    /// Where the partition starts: 1 MiB, sector 2048.
    public static let partitionOffset: UInt64 = 1 << 20

    /// sfdisk's script: an MBR label and one bootable Linux partition from 1 MiB to the end (the
    /// gap before it holds GRUB's core image).
    public static let partitionScript = "label: dos\nstart=2048, type=83, bootable\n"
}

/// GRUB for BIOS (i386-pc), from the host's `grub-pc-bin`.
public enum Grub {
    /// The host's modules, copied into the image's `/boot/grub/i386-pc`.
    public static let modules = "/usr/lib/grub/i386-pc"
    /// The MBR code; its first 440 bytes go in sector 0, before the disk signature and partition table.
    public static let bootImage = modules + "/boot.img"
    /// What the core image needs to read `/boot/grub` from the first partition; the rest is loaded
    /// from there.
    public static let coreModules = ["biosdisk", "part_msdos", "ext2"]
}
