public import JoistCore

/// Image file formats qemu-img reads and writes, for import and export. Volumes themselves are
/// `DiskFormat` (qcow2 or raw): what QEMU runs from.
public enum ImageFileFormat: String, Codable, Sendable, CaseIterable {
    case qcow2
    case raw
    /// VMware.
    case vmdk
    /// VirtualBox.
    case vdi
    /// Hyper-V.
    case vhdx
    /// Virtual PC / Azure VHD.
    case vpc

    public init(_ format: DiskFormat) {
        switch format {
        case .qcow2: self = .qcow2
        case .raw: self = .raw
        }
    }

    /// Guesses the format from a file name's extension (`disk.vhd` → `vpc`); nil when it says nothing.
    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "qcow2": self = .qcow2
        case "raw", "img": self = .raw
        case "vmdk": self = .vmdk
        case "vdi": self = .vdi
        case "vhdx": self = .vhdx
        case "vhd", "vpc": self = .vpc
        default: return nil
        }
    }

    /// The volume format this is, when QEMU runs volumes of it.
    public var diskFormat: DiskFormat? {
        switch self {
        case .qcow2: .qcow2
        case .raw: .raw
        default: nil
        }
    }

    /// The usual file name extension.
    public var fileExtension: String {
        self == .vpc ? "vhd" : rawValue
    }

    /// `-o` options every image written in this format gets. VPC otherwise rounds the size to its
    /// own cylinder/head/sector geometry, so an exported disk would not keep its exact size.
    var creationOptions: [String] {
        self == .vpc ? ["force_size=on"] : []
    }
}
