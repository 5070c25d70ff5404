import Foundation
import JoistCore

extension QemuImg {
    /// An image file to import, as qemu-img reads it.
    public struct SourceImage: Sendable, Equatable {
        public var path: String
        public var format: ImageFileFormat
        /// The size the guest sees, in bytes.
        public var virtualSize: UInt64
        /// Other files the image reads its data from: a backing file, a qcow2 external data file, the
        /// extents of a multi-file vmdk. Absolute paths.
        public var externalFiles: [String]

        public init(path: String, format: ImageFileFormat, virtualSize: UInt64, externalFiles: [String] = []) {
            self.path = path
            self.format = format
            self.virtualSize = virtualSize
            self.externalFiles = externalFiles
        }
    }

    /// Describes an image to import. With `format`, opens it as that format (`qemu-img info -f`);
    /// without, lets qemu-img probe it, and takes a raw image that ends in a fixed VHD's footer for the
    /// fixed VHD it is (qemu-img probes those as raw, and the footer would end up inside the volume).
    ///
    /// Refuses (`unsupported`) formats other than `ImageFileFormat`'s.
    public func inspectSource(_ path: String, format declared: ImageFileFormat?) async throws -> SourceImage {
        var probed = try await sourceInfo(path, format: declared)
        if declared == nil, probed.format == .raw, ImageProbe.hasVHDFooter(path, size: try ImageProbe.fileSize(path)) {
            probed = try await sourceInfo(path, format: .vpc)
        }
        return probed
    }

    /// One `qemu-img info`, with `-f` when `format` is given.
    private func sourceInfo(_ path: String, format: ImageFileFormat?) async throws -> SourceImage {
        let forced = format.map { ["-f", $0.rawValue] } ?? []
        let output = try await command(["info", "--output=json", "-U"] + forced + [path], outputLimit: 1 << 20).check("qemu-img info")
        let report: SourceReport
        do {
            report = try JSONDecoder().decode(SourceReport.self, from: Data(output.stdout.utf8))
        } catch {
            throw JoistError.hostFailure("qemu-img info printed what Joist cannot read for \(path): \(error)")
        }
        guard let found = ImageFileFormat(rawValue: report.format) else {
            let known = ImageFileFormat.allCases.map(\.rawValue).joined(separator: ", ")
            throw JoistError(.unsupported, "cannot import \(path): it is a \(report.format) image; Joist imports \(known)")
        }
        return SourceImage(path: path, format: found, virtualSize: report.virtualSize, externalFiles: report.externalFiles(of: path))
    }
}

/// The parts of `qemu-img info --output=json` that say what an image is and which other files it reads.
private struct SourceReport: Decodable {
    var format: String
    var virtualSize: UInt64
    var fullBackingFilename: String?
    var backingFilename: String?
    var formatSpecific: FormatSpecific?

    struct FormatSpecific: Decodable {
        var data: Details?
    }

    struct Details: Decodable {
        /// qcow2: the external data file.
        var dataFile: String?
        /// vmdk: the files holding the data (the image itself for a single-file vmdk).
        var extents: [Extent]?

        enum CodingKeys: String, CodingKey {
            case dataFile = "data-file"
            case extents
        }
    }

    struct Extent: Decodable {
        var filename: String
    }

    enum CodingKeys: String, CodingKey {
        case format
        case virtualSize = "virtual-size"
        case fullBackingFilename = "full-backing-filename"
        case backingFilename = "backing-filename"
        case formatSpecific = "format-specific"
    }

    /// Every file other than `path` this image reads, relative names taken from `path`'s folder (as
    /// qemu-img resolves them).
    func externalFiles(of path: String) -> [String] {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        let itself = URL(fileURLWithPath: path).standardizedFileURL.path
        let named = [fullBackingFilename ?? backingFilename, formatSpecific?.data?.dataFile].compactMap { $0 }
            + (formatSpecific?.data?.extents ?? []).map(\.filename)
        let resolved = named.map { name in
            name.hasPrefix("/") ? URL(fileURLWithPath: name).standardizedFileURL.path : folder.appending(path: name).standardizedFileURL.path
        }
        var seen: Set<String> = [itself]
        return resolved.filter { seen.insert($0).inserted }
    }
}
