import Foundation
import JoistCore
import Storage
import Testing

/// Files of every kind an import meets, made with the real tools (qemu-img, qemu-io, genisoimage,
/// xorriso) in a test's scratch folder. Each is named `upload`, with no extension: detection must read
/// the contents.
enum ImageSample: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case qcow2, raw, vmdk, vmdkStreamOptimized, vdi, vhdx, vpc, vpcFixed, isoGenisoimage, isoXorriso

    /// A size no format's geometry rounds to by chance.
    static let size: UInt64 = 32 * mebibyte + 512 * 3

    var testDescription: String { rawValue }

    /// What detection must find.
    var expected: DetectedImage.Kind {
        switch self {
        case .qcow2: .disk(.qcow2)
        case .raw: .disk(.raw)
        case .vmdk, .vmdkStreamOptimized: .disk(.vmdk)
        case .vdi: .disk(.vdi)
        case .vhdx: .disk(.vhdx)
        case .vpc, .vpcFixed: .disk(.vpc)
        case .isoGenisoimage, .isoXorriso: .iso
        }
    }

    var isISO: Bool { expected == .iso }

    /// Makes the sample at `folder/upload` and returns its path. Disk images hold a pattern written
    /// through qemu-io at 1MiB, so a conversion that lost data shows.
    func make(in folder: String) async throws -> String {
        let path = folder + "/upload"
        if isISO {
            let content = folder + "/iso-content"
            try FileManager.default.createDirectory(atPath: content, withIntermediateDirectories: true)
            try Data("instance-id: test\n".utf8).write(to: URL(fileURLWithPath: content + "/meta-data"))
            if self == .isoGenisoimage {
                try await Tool.run("genisoimage", ["-quiet", "-output", path, "-volid", "cidata", "-joliet", "-rock", content])
            } else {
                try await Tool.run("xorriso", ["-as", "mkisofs", "-quiet", "-o", path, "-V", "cidata", "-J", "-r", content])
            }
            return path
        }
        let source = folder + "/source.qcow2"
        try await Tool.run("qemu-img", ["create", "-q", "-f", "qcow2", source, String(Self.size)])
        try await Tool.write(source, format: .qcow2, pattern: 0x5a, offset: mebibyte, length: mebibyte)
        let options: [String] =
            switch self {
            case .vmdkStreamOptimized: ["-o", "subformat=streamOptimized"]
            case .vpc: ["-o", "force_size=on"]
            case .vpcFixed: ["-o", "subformat=fixed,force_size=on"]
            default: []
            }
        let format = self == .vmdkStreamOptimized ? "vmdk" : self == .vpcFixed ? "vpc" : rawValue
        try await Tool.run("qemu-img", ["convert", "-f", "qcow2", "-O", format] + options + [source, path])
        try FileManager.default.removeItem(atPath: source)
        return path
    }
}

/// `sha256sum`'s answer for a file: the reference the store's own hashing is checked against.
func sha256sum(_ path: String) async throws -> String {
    String(try await Tool.run("sha256sum", [path]).prefix(64))
}
