/// Hashes for names derived from other names (QEMU node names, Linux link names, MAC addresses).
///
/// They must be the same across runs, builds and hosts, which Swift's `Hasher` is not (it is seeded
/// per process): a disk or a network keeps its names through a daemon restart only when they come
/// from a fixed function of its identity.
public enum StableHash {
    /// The 64-bit FNV-1a hash of the text's UTF-8 bytes.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The top 48 bits of `fnv1a64(text)` as 12 lowercase hex digits: short enough for QEMU node
    /// names (31 characters) and Linux interface names (15).
    public static func hex48(_ text: String) -> String {
        let digits = String(fnv1a64(text) >> 16, radix: 16)
        return String(repeating: "0", count: 12 - digits.count) + digits
    }
}
