import Foundation
import JoistCore

extension QemuImg {
    /// One run of `qemu-img map --output=json`: where a range of the guest-visible disk lies.
    public struct MapExtent: Decodable, Sendable, Equatable {
        public var start: UInt64
        public var length: UInt64
        /// The layer of the backing chain that holds the range (0: the image itself); the chain's
        /// length when no layer does.
        public var depth: Int
        /// Reads as zeros.
        public var zero: Bool
        /// Holds data at `offset`.
        public var data: Bool
        /// Where the range starts in the layer's file; absent when it is not stored plainly there
        /// (compressed or encrypted clusters, zeros).
        public var offset: UInt64?

        public init(start: UInt64, length: UInt64, depth: Int, zero: Bool, data: Bool, offset: UInt64? = nil) {
            self.start = start
            self.length = length
            self.depth = depth
            self.zero = zero
            self.data = data
            self.offset = offset
        }
    }

    /// One image of a backing chain, as `qemu-img info --backing-chain` lists it (top first).
    public struct ChainLayer: Decodable, Sendable, Equatable {
        /// The file's path as QEMU opened it.
        public var filename: String
        public var format: String
        /// Whether the layer's clusters lie plainly in `filename` at the offsets `map` reports:
        /// false for an external data file or encryption.
        public var plain: Bool

        public init(filename: String, format: String, plain: Bool) {
            self.filename = filename
            self.format = format
            self.plain = plain
        }

        enum CodingKeys: String, CodingKey {
            case filename, format, encrypted
            case formatSpecific = "format-specific"
        }

        private struct FormatSpecific: Decodable {
            var data: Details?
        }

        private struct Details: Decodable {
            var dataFile: String?
            var encrypt: [String: String]?

            enum CodingKeys: String, CodingKey {
                case dataFile = "data-file"
                case encrypt
            }

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                dataFile = try container.decodeIfPresent(String.self, forKey: .dataFile)
                // Only whether it is there matters; its shape varies with the scheme.
                encrypt = container.contains(.encrypt) ? [:] : nil
            }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            filename = try container.decode(String.self, forKey: .filename)
            format = try container.decode(String.self, forKey: .format)
            let details = try container.decodeIfPresent(FormatSpecific.self, forKey: .formatSpecific)?.data
            let encrypted = try container.decodeIfPresent(Bool.self, forKey: .encrypted) ?? false
            plain = !encrypted && details?.dataFile == nil && details?.encrypt == nil && ["raw", "qcow2"].contains(format)
        }
    }

    /// Where each range of the disk lies in the files of its backing chain. Maps to
    /// `qemu-img map --output=json -U`; for an image nothing writes (the answer is stale as soon as
    /// a guest writes).
    public func map(_ path: String, format: ImageFileFormat) async throws -> [MapExtent] {
        // A badly fragmented image lists many runs; a generous limit, checked below, keeps a
        // truncated listing from being taken for a whole one.
        let limit = 256 << 20
        let output = try await command(["map", "--output=json", "-U", "-f", format.rawValue, path], outputLimit: limit)
            .check("qemu-img map")
        guard output.stdout.utf8.count < limit else { throw JoistError.hostFailure("qemu-img map printed more than \(limit) bytes for \(path)") }
        do {
            return try JSONDecoder().decode([MapExtent].self, from: Data(output.stdout.utf8))
        } catch {
            throw JoistError.hostFailure("qemu-img map printed what Joist cannot read for \(path): \(error)")
        }
    }

    /// The image and its backing files, top first. Maps to `qemu-img info --backing-chain --output=json -U`.
    public func chain(_ path: String, format: ImageFileFormat) async throws -> [ChainLayer] {
        let output = try await command(["info", "--backing-chain", "--output=json", "-U", "-f", format.rawValue, path], outputLimit: 4 << 20)
            .check("qemu-img info")
        do {
            return try JSONDecoder().decode([ChainLayer].self, from: Data(output.stdout.utf8))
        } catch {
            throw JoistError.hostFailure("qemu-img info printed what Joist cannot read for \(path): \(error)")
        }
    }
}
