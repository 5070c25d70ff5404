import Foundation
import HostKit
public import JoistCore

/// Writes a seed as the ISO 9660 image cloud-init's NoCloud source looks for: volume label `cidata`,
/// the files `meta-data`, `user-data` and `network-config` at its root (Joliet and Rock Ridge names,
/// so the hyphens survive). Made with genisoimage in a temporary folder beside the target and renamed
/// over it, so a failed write leaves the previous seed (or none), never half of one.
public struct SeedISO: Sendable {
    /// The volume label NoCloud looks for.
    public static let label = "cidata"
    /// The files at the ISO's root.
    public static let fileNames = ["meta-data", "user-data", "network-config"]

    public var genisoimage: String

    public init(genisoimage: String? = nil) throws(JoistError) {
        guard let path = genisoimage ?? HostCommand.locate("genisoimage") else {
            throw .hostFailure("cannot make a cloud-init seed: genisoimage is not installed (apt-get install genisoimage)")
        }
        self.genisoimage = path
    }

    /// Writes `seed` to `path` (replacing what is there).
    public func write(_ seed: CloudInitSeed, to path: String) async throws {
        let target = URL(fileURLWithPath: path)
        let staging = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: staging) }
        let contents = [seed.metaData, seed.userData, seed.networkConfig]
        for (name, text) in zip(Self.fileNames, contents) {
            try Data(text.utf8).write(to: staging.appendingPathComponent(name))
        }
        let image = staging.appendingPathComponent("seed.iso").path
        let files = Self.fileNames.map { staging.appendingPathComponent($0).path }
        try await HostCommand(genisoimage, ["-quiet", "-output", image, "-volid", Self.label, "-joliet", "-rock"] + files)
            .check("genisoimage (cloud-init seed)")
        guard rename(image, path) == 0 else {
            throw JoistError.hostFailure("cannot put the cloud-init seed at \(path): \(String(cString: strerror(errno)))")
        }
    }
}
