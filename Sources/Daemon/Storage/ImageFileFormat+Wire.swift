import JoistAPI
import Storage

extension ImageFileFormat {
    /// The driver's name for a format the API names.
    init(_ format: VolumeFileFormat) {
        switch format {
        case .qcow2: self = .qcow2
        case .raw: self = .raw
        case .vmdk: self = .vmdk
        case .vdi: self = .vdi
        case .vhdx: self = .vhdx
        case .vpc: self = .vpc
        }
    }
}

extension VolumeFileFormat {
    /// The API's name for a format a driver found.
    init(_ format: ImageFileFormat) {
        switch format {
        case .qcow2: self = .qcow2
        case .raw: self = .raw
        case .vmdk: self = .vmdk
        case .vdi: self = .vdi
        case .vhdx: self = .vhdx
        case .vpc: self = .vpc
        }
    }
}
