/// Names of the temporaries a pool's writes go through: `.joist-tmp-<16 hex digits>-<final name>`.
///
/// Every new volume (and every converted image) is written under such a name next to where it will
/// live, then renamed into place. After a crash, `sweep` removes exactly these: a hidden name with
/// this prefix and a random part, which no user file or volume name (letters, digits, '-') can have.
public enum TemporaryName {
    static let prefix = ".joist-tmp-"
    private static let randomDigits = 16

    /// A fresh temporary name for `finalName`.
    public static func make(for finalName: String) -> String {
        let random = String(UInt64.random(in: .min ... .max), radix: 16)
        let padded = String(repeating: "0", count: randomDigits - random.count) + random
        return "\(prefix)\(padded)-\(finalName)"
    }

    /// Whether `fileName` is one of ours.
    public static func isTemporary(_ fileName: String) -> Bool {
        guard fileName.hasPrefix(prefix) else { return false }
        let rest = fileName.utf8.dropFirst(prefix.utf8.count)
        let random = rest.prefix(randomDigits)
        let hexDigits = Array("0123456789abcdef".utf8)
        guard random.count == randomDigits, random.allSatisfy(hexDigits.contains) else { return false }
        let tail = rest.dropFirst(randomDigits)
        return tail.first == UInt8(ascii: "-") && tail.count > 1
    }
}
