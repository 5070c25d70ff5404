import Foundation
import JoistAPI
import JoistCore

/// Images on the wire: with every optional set, with none, and every enum case.
enum ImageSamples {
    static let date = WireSamples.date
    static let fingerprint = String(repeating: "3f2a9c1e", count: 8)

    static let fullImage = Image(
        fingerprint: fingerprint, aliases: ["debian-12", "stable"], type: .disk, format: .qcow2, sourceFormat: .vmdk,
        virtualSize: .gibibytes(10), fileSize: 1_288_490_188, createdAt: date,
        usedBy: [ImageVolume(project: "default", pool: "default", name: "web-1-root"), ImageVolume(project: "team-a", pool: "fast", name: "db")])
    static let minimalImage = Image(
        fingerprint: String(repeating: "0", count: 64), aliases: [], type: .iso, format: .raw, sourceFormat: .iso,
        virtualSize: ByteSize(bytes: 374_784), fileSize: 374_784, createdAt: date)

    static let all: [WireSample] = [
        WireSample("full image", "Image", fullImage),
        WireSample("minimal image", "Image", minimalImage),
        WireSample("image volume", "ImageVolume", ImageVolume(project: "default", pool: "default", name: "web-1-root")),
        WireSample("fingerprint", "ImageFingerprint", fingerprint),
        WireSample("alias reference", "ImageReference", "debian-12"),
        WireSample("prefix reference", "ImageReference", String(fingerprint.prefix(12))),
        WireSample("url import", "ImageImport", ImageImport(url: "https://example.com/debian-12.qcow2", alias: "debian-12")),
        WireSample("path import", "ImageImport", ImageImport(path: "/srv/images/debian-12.qcow2")),
        WireSample(
            "full build", "ImageBuild", ImageBuild(distribution: "debian-12", arch: "amd64", size: .gibibytes(8), alias: "debian-12", force: true)),
        WireSample("minimal build", "ImageBuild", ImageBuild(distribution: "debian-12")),
        WireSample("alias create", "ImageAliasCreate", ImageAliasCreate(name: "stable")),
        WireSample("image page", "ImagePage", Page(items: [fullImage, minimalImage], next: fingerprint)),
        WireSample("last image page", "ImagePage", Page<Image>(items: [])),
    ] + ImageType.allCases.map { WireSample("\($0) image type", "ImageType", $0) }
        + ImageSourceFormat.allCases.map { WireSample("\($0) source format", "ImageSourceFormat", $0) }
        + [
            {
                var volume = StorageSamples.fullVolume
                volume.image = fingerprint
                return WireSample("volume from an image", "StorageVolume", volume)
            }()
        ]
}
