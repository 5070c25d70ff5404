import Foundation
/// A size in bytes, parsed from and printed as human units (`512MiB`, `2GiB`, `1G`).
///
/// Bare `K`/`M`/`G`/`T` and the `iB` forms are binary (as QEMU reads them); `KB`/`MB`/`GB`/`TB` are
/// decimal. A bare number is bytes.
public struct ByteSize: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let bytes: UInt64

    public init(bytes: UInt64) { self.bytes = bytes }
    public static func mebibytes(_ n: UInt64) -> ByteSize { ByteSize(bytes: n << 20) }
    public static func gibibytes(_ n: UInt64) -> ByteSize { ByteSize(bytes: n << 30) }

    public var mebibytes: UInt64 { bytes >> 20 }

    public static func < (a: ByteSize, b: ByteSize) -> Bool { a.bytes < b.bytes }

    private static let units: [(suffix: String, factor: UInt64)] = [
        ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("tib", 1 << 40),
        ("kb", 1_000), ("mb", 1_000_000), ("gb", 1_000_000_000), ("tb", 1_000_000_000_000),
        ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("t", 1 << 40), ("b", 1),
    ]

    /// Parses `512MiB`, `1.5GiB`, `2G`, `1073741824`.
    public init(parsing text: String) throws(JoistError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        var number = Substring(trimmed)
        var factor: UInt64 = 1
        for unit in Self.units where trimmed.hasSuffix(unit.suffix) {
            number = trimmed.dropLast(unit.suffix.count)
            factor = unit.factor
            break
        }
        number = Substring(number.trimmingCharacters(in: .whitespaces))
        guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }),
            let value = Double(number), value.isFinite, value >= 0
        else {
            throw .invalidArgument("invalid size '\(text)': expected a number with an optional unit such as 512MiB or 2GiB")
        }
        let total = value * Double(factor)
        guard total < 1.8e19 else { throw .invalidArgument("size '\(text)' is too large") }
        self.bytes = UInt64(total.rounded())
    }

    /// The largest binary unit that divides the size exactly, e.g. `512MiB`, `2GiB`, `1000B`.
    public var description: String {
        for (suffix, factor) in [("TiB", UInt64(1) << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        where bytes >= factor && bytes % factor == 0 {
            return "\(bytes / factor)\(suffix)"
        }
        return "\(bytes)B"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let n = try? container.decode(UInt64.self) {
            self.bytes = n
        } else {
            self = try ByteSize(parsing: container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
