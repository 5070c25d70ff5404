public import JoistCore

/// The names one disk goes by inside QEMU: its format node, the file node under it, and the guest
/// device on top.
///
/// They come from the disk's source alone (a hash of its path or `POOL/NAME`), so they are the same
/// at every boot and for a disk hot-plugged later, wherever the disk sits in the instance's list:
/// attaching or detaching one disk never renames another, and `block_resize` or a detach of a
/// running disk finds its node without asking QEMU. Node names stay within QEMU's 31 characters.
public struct DiskNames: Sendable, Hashable {
    /// The format node (`qcow2`, `raw`): what the device reads and `block_resize` resizes.
    public let node: String
    /// The protocol node that opens the file.
    public let fileNode: String
    /// The guest device's id.
    public let device: String

    public init(for source: DiskSpec.Source) {
        self.init(base: "disk-" + Self.hash(source.description))
    }

    private init(base: String) {
        node = base
        fileNode = base + "-file"
        device = base + "-dev"
    }

    /// The CD-ROM drive's names: an instance has one drive, whichever disc is in it.
    public static let cdrom = DiskNames(base: "cdrom0")
    /// The cloud-init seed's drive.
    public static let cloudInitSeed = DiskNames(base: "cidata0")

    /// 12 hex digits of the source's stable hash (`StableHash.hex48`), short enough for node names.
    static func hash(_ text: String) -> String { StableHash.hex48(text) }
}
