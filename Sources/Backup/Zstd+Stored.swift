import CZstd

extension Zstd {
    /// Bytes per sample `looksIncompressible` compresses, and how many samples it takes.
    static let sampleSize = 32 << 10
    static let sampleCount = 4

    /// Whether compressing `input` is likely a waste of time: samples spread over it (zstd's fastest
    /// level) shrink by less than 3%. Random or already compressed data (encrypted disks, media,
    /// archives) is common in guests, and zstd spends about as long failing to shrink it as hashing
    /// it does. A wrong guess only costs compression, never correctness.
    public static func looksIncompressible(_ input: UnsafeRawBufferPointer) -> Bool {
        guard let base = input.baseAddress, input.count >= sampleSize * sampleCount else { return false }
        let bound = ZSTD_compressBound(sampleSize)
        var scratch = [UInt8](repeating: 0, count: bound)
        var compressed = 0
        for index in 0..<sampleCount {
            let start = (input.count - sampleSize) / (sampleCount - 1) * index
            let written = scratch.withUnsafeMutableBytes { out in
                ZSTD_compress(out.baseAddress, out.count, base + start, sampleSize, 1)
            }
            if ZSTD_isError(written) != 0 { return false }
            compressed += written
        }
        return compressed * 100 >= sampleSize * sampleCount * 97
    }

    /// One zstd frame holding `input` as it is, in raw (stored) blocks: what `compress` makes of data
    /// it cannot shrink, made without trying. Any zstd decoder reads it (RFC 8878: a single-segment
    /// frame with its content size, then raw blocks of at most 128 KiB, the last one flagged).
    public static func storedFrame(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        let blockSize = 128 << 10
        let blocks = max(1, (input.count + blockSize - 1) / blockSize)
        var frame: [UInt8] = []
        frame.reserveCapacity(13 + 3 * blocks + input.count)
        // Magic number, then the frame header: single segment, a 4- or 8-byte content size, no checksum.
        frame += [0x28, 0xB5, 0x2F, 0xFD]
        let size = UInt64(input.count)
        if size <= UInt64(UInt32.max) {
            frame.append(0b1010_0000)
            frame += (0..<4).map { UInt8(truncatingIfNeeded: size >> (8 * $0)) }
        } else {
            frame.append(0b1110_0000)
            frame += (0..<8).map { UInt8(truncatingIfNeeded: size >> (8 * $0)) }
        }
        for block in 0..<blocks {
            let start = block * blockSize
            let length = min(blockSize, input.count - start)
            // Block header, little-endian: bit 0 last block, bits 1-2 type (0: raw), bits 3-23 size.
            let header = UInt32(length) << 3 | (block == blocks - 1 ? 1 : 0)
            frame += [UInt8(truncatingIfNeeded: header), UInt8(truncatingIfNeeded: header >> 8), UInt8(truncatingIfNeeded: header >> 16)]
            if length > 0 { frame += UnsafeRawBufferPointer(rebasing: input[start..<(start + length)]) }
        }
        return frame
    }
}
