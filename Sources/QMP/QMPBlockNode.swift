/// A named block node, as QMP `query-named-block-nodes` describes it.
public struct QMPBlockNode: Sendable, Hashable, Codable {
    /// The node's name (`node-name`).
    public var nodeName: String
    /// The block driver: a format (`qcow2`, `raw`) or a protocol (`file`).
    public var driver: String
    /// The file the node reads, as QEMU names it (`file`).
    public var file: String
    /// The size the node presents, in bytes (`image.virtual-size`): what the guest sees of a format node.
    public var virtualSize: Int64

    public init(nodeName: String, driver: String, file: String, virtualSize: Int64) {
        self.nodeName = nodeName
        self.driver = driver
        self.file = file
        self.virtualSize = virtualSize
    }

    private enum CodingKeys: String, CodingKey {
        case nodeName = "node-name"
        case driver = "drv"
        case file
        case image
    }

    private enum ImageKeys: String, CodingKey {
        case virtualSize = "virtual-size"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        nodeName = try container.decode(String.self, forKey: .nodeName)
        driver = try container.decode(String.self, forKey: .driver)
        file = try container.decode(String.self, forKey: .file)
        let image = try container.nestedContainer(keyedBy: ImageKeys.self, forKey: .image)
        virtualSize = try image.decode(Int64.self, forKey: .virtualSize)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(nodeName, forKey: .nodeName)
        try container.encode(driver, forKey: .driver)
        try container.encode(file, forKey: .file)
        var image = container.nestedContainer(keyedBy: ImageKeys.self, forKey: .image)
        try image.encode(virtualSize, forKey: .virtualSize)
    }
}
