import CZstd

/// Compresses and decompresses whole buffers with the system libzstd, one zstd frame per buffer.
///
/// Each frame records its decompressed size, so `decompress` allocates once and refuses a frame that
/// claims more than the caller expects (a corrupt or hostile chunk file cannot make it allocate
/// gigabytes).
public enum Zstd {
    /// The level backups use: zstd's default, fast enough to keep up with a disk and still squeezing
    /// typical guest data well.
    public static let defaultLevel: Int32 = 3

    /// One zstd frame holding `input`.
    public static func compress(_ input: UnsafeRawBufferPointer, level: Int32 = defaultLevel) throws -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { out in
            ZSTD_compress(out.baseAddress, out.count, input.baseAddress, input.count, level)
        }
        if ZSTD_isError(written) != 0 { throw ZstdError("cannot compress \(input.count) bytes: \(errorName(written))") }
        output.removeSubrange(written...)
        return output
    }

    /// One zstd frame holding `input`.
    public static func compress(_ input: [UInt8], level: Int32 = defaultLevel) throws -> [UInt8] {
        try input.withUnsafeBytes { buffer in try compress(buffer, level: level) }
    }

    /// The bytes of the single frame in `input`, which must declare a size of at most `maxSize` bytes
    /// and decompress to exactly that size.
    public static func decompress(_ input: UnsafeRawBufferPointer, maxSize: Int) throws -> [UInt8] {
        let declared = ZSTD_getFrameContentSize(input.baseAddress, input.count)
        switch declared {
        case contentSizeError: throw ZstdError("not a zstd frame (\(input.count) bytes)")
        case contentSizeUnknown: throw ZstdError("the zstd frame does not record its size")
        case let size where size > UInt64(maxSize):
            throw ZstdError("the zstd frame claims \(size) bytes, more than the \(maxSize) expected")
        default: break
        }
        let size = Int(declared)
        var output = [UInt8](repeating: 0, count: size)
        let written = output.withUnsafeMutableBytes { out in
            ZSTD_decompress(out.baseAddress, out.count, input.baseAddress, input.count)
        }
        if ZSTD_isError(written) != 0 { throw ZstdError("cannot decompress: \(errorName(written))") }
        guard written == size else { throw ZstdError("the zstd frame held \(written) bytes, not the \(size) it declared") }
        return output
    }

    /// The bytes of the single frame in `input` (see `decompress(_:maxSize:)`).
    public static func decompress(_ input: [UInt8], maxSize: Int) throws -> [UInt8] {
        try input.withUnsafeBytes { buffer in try decompress(buffer, maxSize: maxSize) }
    }

    /// The version of the libzstd in use, e.g. `1.5.4`.
    public static var libraryVersion: String { String(cString: ZSTD_versionString()) }

    // `ZSTD_CONTENTSIZE_ERROR` and `_UNKNOWN` are macros Swift does not import.
    private static let contentSizeUnknown = UInt64.max
    private static let contentSizeError = UInt64.max - 1

    private static func errorName(_ code: Int) -> String { String(cString: ZSTD_getErrorName(code)) }
}

/// Why zstd could not compress or decompress a buffer.
public struct ZstdError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}
