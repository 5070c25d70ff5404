import Foundation
import JoistCore

extension QemuImg {
    /// What `qemu-img info` says about a file whose format it had to guess: the format, the sizes,
    /// and the files the image would read besides itself (backing file, external data file, VMDK
    /// extents), which an imported image must not have.
    public struct ProbedImage: Decodable, Sendable, Equatable {
        public var format: String
        public var virtualSize: UInt64
        public var backingFilename: String?
        /// qcow2: the external data file, if any.
        public var dataFile: String?
        /// VMDK: the files holding the data (the descriptor file itself for single-file VMDKs).
        public var extents: [String]

        public init(format: String, virtualSize: UInt64, backingFilename: String? = nil, dataFile: String? = nil, extents: [String] = []) {
            self.format = format
            self.virtualSize = virtualSize
            self.backingFilename = backingFilename
            self.dataFile = dataFile
            self.extents = extents
        }

        enum CodingKeys: String, CodingKey {
            case format
            case virtualSize = "virtual-size"
            case backingFilename = "backing-filename"
            case formatSpecific = "format-specific"
        }

        private struct FormatSpecific: Decodable {
            var data: Details?
        }

        private struct Details: Decodable {
            var dataFile: String?
            var extents: [Extent]?

            enum CodingKeys: String, CodingKey {
                case dataFile = "data-file"
                case extents
            }
        }

        private struct Extent: Decodable {
            var filename: String
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            format = try container.decode(String.self, forKey: .format)
            virtualSize = try container.decode(UInt64.self, forKey: .virtualSize)
            backingFilename = try container.decodeIfPresent(String.self, forKey: .backingFilename)
            let details = try container.decodeIfPresent(FormatSpecific.self, forKey: .formatSpecific)?.data
            dataFile = details?.dataFile
            extents = details?.extents?.map(\.filename) ?? []
        }
    }

    /// Describes a file of unknown format, letting qemu-img guess it from the contents. Maps to
    /// `qemu-img info --output=json` without `-f`.
    ///
    /// Only for files being imported, and only to learn their format: everything after uses that
    /// format explicitly. qemu-img does not open backing files for `info`, so a hostile image cannot
    /// make this read other files.
    public func probe(_ path: String) async throws -> ProbedImage {
        let output = try await command(["info", "--output=json", path], outputLimit: 1 << 20).check("qemu-img info")
        do {
            return try JSONDecoder().decode(ProbedImage.self, from: Data(output.stdout.utf8))
        } catch {
            throw JoistError.hostFailure("qemu-img info printed what Joist cannot read for \(path): \(error)")
        }
    }
}
