import Foundation

/// Key comparisons by UTF-8 bytes, the order etcd and SQLite's BINARY collation use.
///
/// Swift's own `String` comparison and `hasPrefix` work on canonical equivalence, which would make
/// two byte-wise different keys equal in memory but distinct in SQLite or etcd.
enum KeyOrder {
    /// Whether `key` starts with the bytes of `prefix`.
    static func key(_ key: String, hasPrefix prefix: String) -> Bool {
        key.utf8.starts(with: prefix.utf8)
    }

    /// Whether `lhs` sorts before `rhs` byte-wise.
    static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    /// The smallest byte string greater than every key with this prefix, or nil when there is
    /// none (the empty prefix). Maps to etcd's `range_end` for a prefix.
    static func prefixEnd(_ prefix: String) -> Data? {
        var bytes = Array(prefix.utf8)
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return Data(bytes)
            }
            bytes.removeLast()
        }
        return nil
    }
}
