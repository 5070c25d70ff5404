import Foundation
import JoistAPI
import JoistCore

/// Import and export requests on the wire: with every optional set, with none, and every format.
enum VolumeTransferSamples {
    static let all: [WireSample] =
        [
            WireSample(
                "full import", "StorageVolumeImport", StorageVolumeImport(path: "/srv/images/web.vmdk", sourceFormat: .vmdk, format: .raw)),
            WireSample("minimal import", "StorageVolumeImport", StorageVolumeImport(path: "/srv/images/web.vmdk")),
            WireSample("full export", "StorageVolumeExport", StorageVolumeExport(format: .vdi, path: "/srv/out/web.vdi", force: true)),
            WireSample("minimal export", "StorageVolumeExport", StorageVolumeExport(format: .vhdx)),
        ] + VolumeFileFormat.allCases.map { WireSample("\($0)", "VolumeFileFormat", $0) }
}
