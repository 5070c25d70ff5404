import Crypto
import JoistCore

/// A chunk's name: the SHA-256 of its uncompressed bytes, as 64 lowercase hex digits.
///
/// Naming chunks by their content is what deduplicates them: identical 4 MiB of any disk, in any
/// backup of any instance, is one file. A name from a manifest is validated before it becomes a path.
public struct ChunkID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 64 hex digits.
    public let hex: String

    /// The name of `bytes`.
    public init(of bytes: UnsafeRawBufferPointer) {
        var hasher = SHA256()
        hasher.update(bufferPointer: bytes)
        hex = Hex.lowercase(hasher.finalize())
    }

    /// The name of `bytes`.
    public init(of bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { ChunkID(of: $0) }
    }

    /// A name read from a manifest or a file name; nil unless it is 64 lowercase hex digits.
    public init?(hex: String) {
        guard hex.utf8.count == 64,
            hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return nil }
        self.hex = hex
    }

    /// The two hex digits of the fan-out folder the chunk lives in (`chunks/ab/abcdef…`), so no
    /// folder holds more than 1/256 of the chunks.
    public var fanOut: String { String(hex.prefix(2)) }

    public var description: String { hex }

    public static func < (a: ChunkID, b: ChunkID) -> Bool { a.hex < b.hex }
}

/// One chunk of a disk in a manifest: an all-zero chunk (never stored) or a stored chunk by name.
///
/// Encoded as one string, `"zero"` or the chunk's hex name, so a manifest stays a readable list.
public enum ChunkRef: Hashable, Sendable, Codable {
    case zero
    case stored(ChunkID)

    static let zeroMarker = "zero"

    /// The stored chunk's name, or nil for a zero chunk.
    public var id: ChunkID? {
        if case .stored(let id) = self { return id }
        return nil
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        if text == Self.zeroMarker {
            self = .zero
        } else if let id = ChunkID(hex: text) {
            self = .stored(id)
        } else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "'\(text.prefix(80))' is neither \"zero\" nor a SHA-256 chunk name"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .zero: try container.encode(Self.zeroMarker)
        case .stored(let id): try container.encode(id.hex)
        }
    }
}
