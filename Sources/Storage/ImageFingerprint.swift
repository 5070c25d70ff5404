public import JoistCore

/// An image's name in the store: the lowercase hex SHA-256 of the bytes imported (64 digits).
///
/// Fingerprints become file names (`STATE/images/FINGERPRINT.qcow2`), so only validated ones reach a
/// path: nothing but hex digits can.
public enum ImageFingerprint {
    public static let length = 64
    /// The shortest prefix that names an image (as `joist image list` shows it).
    public static let shortLength = 12

    /// Returns `text` when it is a full fingerprint; throws `invalidArgument` otherwise.
    @discardableResult
    public static func validate(_ text: String) throws(JoistError) -> String {
        guard text.utf8.count == length, isHex(text) else {
            throw .invalidArgument("invalid image fingerprint '\(text.prefix(80))': expected \(length) lowercase hex digits (a SHA-256)")
        }
        return text
    }

    /// Whether `text` is only lowercase hex digits (a fingerprint or a prefix of one).
    public static func isHex(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The first digits, enough to tell images apart when reading.
    public static func short(_ fingerprint: String) -> String {
        String(fingerprint.prefix(shortLength))
    }
}
