/// `POST /1.0/instances/{name}/disks`: attach a volume, hot-plugged when the instance runs.
public struct InstanceDiskAttach: Codable, Sendable, Equatable {
    /// `POOL/NAME[,bus=virtio-blk|virtio-scsi][,cache=MODE][,discard=on|off]`.
    public var disk: String

    public init(disk: String) { self.disk = disk }
}

/// `POST /1.0/instances/{name}/publish`: turn a stopped instance's first volume into an image.
public struct InstancePublish: Codable, Sendable, Equatable {
    /// A name to give the new image.
    public var alias: String?

    public init(alias: String? = nil) { self.alias = alias }
}
