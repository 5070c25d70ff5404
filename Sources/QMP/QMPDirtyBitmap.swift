/// A dirty bitmap on a block node, as QMP `query-named-block-nodes` lists it (`dirty-bitmaps`).
public struct QMPDirtyBitmap: Sendable, Hashable, Decodable {
    public var name: String
    /// Whether guest writes are being recorded in it (it is enabled).
    public var recording: Bool
    /// Whether it is stored in the image (qcow2) when QEMU closes it.
    public var persistent: Bool
    /// Whether an operation (an export, a job) is using it.
    public var busy: Bool
    /// Whether it was found in the image marked as in use: QEMU stopped without storing it (a crash, a
    /// kill), so it may miss writes and must not be trusted.
    public var inconsistent: Bool
    /// The bytes one bit covers.
    public var granularity: Int64
    /// How many bytes are marked dirty.
    public var count: Int64

    public init(
        name: String, recording: Bool = true, persistent: Bool = true, busy: Bool = false, inconsistent: Bool = false,
        granularity: Int64 = 65536, count: Int64 = 0
    ) {
        self.name = name
        self.recording = recording
        self.persistent = persistent
        self.busy = busy
        self.inconsistent = inconsistent
        self.granularity = granularity
        self.count = count
    }

    private enum CodingKeys: String, CodingKey {
        case name, recording, persistent, busy, inconsistent, granularity, count
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        recording = try container.decode(Bool.self, forKey: .recording)
        persistent = try container.decodeIfPresent(Bool.self, forKey: .persistent) ?? false
        busy = try container.decodeIfPresent(Bool.self, forKey: .busy) ?? false
        inconsistent = try container.decodeIfPresent(Bool.self, forKey: .inconsistent) ?? false
        granularity = try container.decode(Int64.self, forKey: .granularity)
        count = try container.decode(Int64.self, forKey: .count)
    }
}
