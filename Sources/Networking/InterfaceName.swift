public import JoistCore

/// Validates names of existing Linux network interfaces (a bridge network's parent) before they
/// reach `ip` command lines or rules.
///
/// The kernel takes 1–15 bytes (`IFNAMSIZ` is 16 with the NUL) without `/`, whitespace or `:`, and
/// not `.` or `..`; `%` is refused too (`ip` reads it as a name template). Joist also refuses
/// anything outside printable ASCII and quotes or backslashes, which no real interface needs and
/// which would end a quoted string in an nftables rule.
public enum InterfaceName {
    /// The kernel's limit in bytes.
    public static let maxLength = 15

    /// Returns `name` when valid; throws an `invalidArgument` error that says what is wrong otherwise.
    @discardableResult
    public static func validate(_ name: String, role: String = "interface") throws(JoistError) -> String {
        guard !name.isEmpty else { throw .invalidArgument("\(role) name must not be empty") }
        guard name.utf8.count <= maxLength else {
            throw .invalidArgument("\(role) name '\(name)' is longer than Linux's \(maxLength) bytes")
        }
        guard name != ".", name != ".." else { throw .invalidArgument("\(role) name '\(name)' is not a valid interface name") }
        for byte in name.utf8 where !isAllowed(byte) {
            throw .invalidArgument(
                "\(role) name '\(name)' may not contain whitespace, '/', ':', '%', quotes or characters outside ASCII")
        }
        return name
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        guard (0x21...0x7e).contains(byte) else { return false }
        return !"/:%\"'\\".utf8.contains(byte)
    }
}
