import Foundation

/// Finds all-zero chunks, which a backup records as zero instead of storing.
enum ZeroCheck {
    /// Whether every byte is zero: the first byte is, and the buffer equals itself shifted by one
    /// (one `memcmp`, vectorized by libc, instead of a byte loop).
    static func isAllZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return true }
        guard bytes[0] == 0 else { return false }
        return memcmp(base, base + 1, bytes.count - 1) == 0
    }
}
