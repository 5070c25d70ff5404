import Crypto
import Foundation
import JoistCore

/// One image to build: a recipe, the disk's size and the mirror debootstrap installs from.
///
/// Its `cacheKey` names what the image is made from; building again with the same inputs reuses the
/// image built before. The key changes with the recipe (which names the mirror in the image's apt
/// sources), the size and `builderVersion`, never with time: packages the mirror updated
/// meanwhile are only picked up by a forced rebuild.
public struct BuildRequest: Sendable, Equatable {
    /// Bumped whenever the plan builds images differently from the same recipe.
    public static let builderVersion = 1
    /// The disk size unless one is given.
    public static let defaultSize = ByteSize.gibibytes(8)
    /// The smallest disk the Debian recipe fits on, with room to spare.
    public static let minimumSize = ByteSize.gibibytes(2)

    public var recipe: Recipe
    public var size: ByteSize
    public var mirror: String

    public init(recipe: Recipe, size: ByteSize = defaultSize, mirror: String) throws(JoistError) {
        self.recipe = recipe
        self.size = try Self.validate(size: size)
        self.mirror = try Mirror.validate(mirror)
    }

    /// `size` when a built image can have it: at least `minimumSize`, in whole 512-byte sectors.
    public static func validate(size: ByteSize) throws(JoistError) -> ByteSize {
        guard size >= minimumSize else {
            throw .invalidArgument("an image of \(size) is too small: a built image needs at least \(minimumSize)")
        }
        guard size.bytes % 512 == 0 else { throw .invalidArgument("an image's size must be a whole number of 512-byte sectors, not \(size)") }
        return size
    }

    /// The lowercase hex SHA-256 of the recipe, architecture, size, mirror and builder version.
    public var cacheKey: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let inputs = CacheInputs(recipe: recipe, architecture: recipe.architecture.rawValue, size: size.bytes, mirror: mirror,
            builderVersion: Self.builderVersion)
        // Encoding plain strings, numbers and arrays cannot fail.
        let bytes = (try? encoder.encode(inputs)) ?? Data()
        return SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// The image alias that records which image these inputs built: `build-` and the key's first
    /// 32 digits.
    public var cacheAlias: String { "build-" + cacheKey.prefix(32) }

    private struct CacheInputs: Encodable {
        var recipe: Recipe
        var architecture: String
        var size: UInt64
        var mirror: String
        var builderVersion: Int
    }
}
