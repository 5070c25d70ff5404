/// `POST /1.0/instances/{name}/disks`: attach a volume, hot-plugged when the instance runs.
public struct InstanceDiskAttach: Codable, Sendable, Equatable {
    /// `POOL/NAME[,bus=virtio-blk|virtio-scsi][,cache=MODE][,discard=on|off]`.
    public var disk: String

    public init(disk: String) { self.disk = disk }
}
