/// Validates resource names before they reach a file path, a command line or a QEMU option.
///
/// Names follow DNS label rules so an instance name can also be its hostname: 1–63 ASCII letters,
/// digits and hyphens, starting with a letter and not ending with a hyphen. That excludes `,` `=` `/`
/// `.` and whitespace, so a name can never inject a QEMU option or escape a directory.
public enum ResourceName {
    public static let maxLength = 63

    /// Returns `name` when valid; throws an `invalidArgument` error that says what is wrong otherwise.
    @discardableResult
    public static func validate(_ name: String, kind: String = "instance") throws(JoistError) -> String {
        guard !name.isEmpty else { throw .invalidArgument("\(kind) name must not be empty") }
        guard name.utf8.count <= maxLength else {
            throw .invalidArgument("\(kind) name '\(name)' is longer than \(maxLength) characters")
        }
        let bytes = Array(name.utf8)
        for byte in bytes where !(isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "-")) {
            throw .invalidArgument(
                "\(kind) name '\(name)' may only contain ASCII letters, digits and '-'")
        }
        guard let first = bytes.first, isLetter(first) else {
            throw .invalidArgument("\(kind) name '\(name)' must start with a letter")
        }
        guard bytes.last != UInt8(ascii: "-") else {
            throw .invalidArgument("\(kind) name '\(name)' must not end with '-'")
        }
        return name
    }

    private static func isLetter(_ b: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
    }

    private static func isDigit(_ b: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) }
}
