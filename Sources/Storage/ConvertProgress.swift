import Foundation

/// Reads the progress `qemu-img convert -p` prints to stdout: records such as `    (12.50/100%)`,
/// each ended by a carriage return.
///
/// A pure state machine: feed it stdout in whatever chunks the pipe delivers, get the fractions
/// (0…1) of the records completed so far.
public struct ConvertProgress: Sendable {
    /// Bytes of a record not yet ended by `\r` or `\n`.
    private var pending: [UInt8] = []
    /// Longer than any record: a line this long is not progress, so it is dropped rather than kept.
    private static let maxRecord = 256

    public init() {}

    /// Consumes a chunk of output and returns the fractions of the records it completed, in order.
    public mutating func consume(_ chunk: some Sequence<UInt8>) -> [Double] {
        var fractions: [Double] = []
        for byte in chunk {
            if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
                if let fraction = Self.fraction(of: String(decoding: pending, as: UTF8.self)) {
                    fractions.append(fraction)
                }
                pending.removeAll(keepingCapacity: true)
            } else if pending.count < Self.maxRecord {
                pending.append(byte)
            }
        }
        return fractions
    }

    /// Every fraction in a complete output.
    public static func fractions(in output: String) -> [Double] {
        var parser = ConvertProgress()
        return parser.consume(Array(output.utf8) + [UInt8(ascii: "\n")])
    }

    /// The fraction one record states (`(12.50/100%)` → 0.125), or nil when it is no progress record.
    public static func fraction(of record: String) -> Double? {
        let text = record.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("("), text.hasSuffix("/100%)") else { return nil }
        guard let percent = Double(text.dropFirst().dropLast("/100%)".count)), percent.isFinite else { return nil }
        return min(max(percent / 100, 0), 1)
    }
}
