/// Where a build keeps its pieces, all inside one work folder of its own, so cleaning up after it
/// (`BuildCleanup`) is about that folder only.
public struct BuildLayout: Sendable, Equatable {
    public var folder: String
    /// Where the finished qcow2 is written (outside `folder`: it outlives the build).
    public var output: String

    public init(folder: String, output: String) {
        self.folder = folder
        self.output = output
    }

    /// The installed system, before it becomes a file system.
    public var root: String { folder + "/root" }
    /// The raw disk (sparse).
    public var disk: String { folder + "/disk.raw" }
    /// sfdisk's script.
    public var partitionScript: String { folder + "/partitions.sfdisk" }
    /// GRUB's core image, written into the gap before the partition.
    public var coreImage: String { folder + "/core.img" }
}
