public import Foundation
import JoistCore

/// A backup's id: its creation time in UTC and a random suffix, e.g. `20261122T101500Z-3f9a1c`, so
/// ids sort by time and are safe as file names.
public struct BackupID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    /// A fresh id for a backup made at `date`.
    public init(date: Date, random: UInt32 = UInt32.random(in: 0...UInt32.max)) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let stamp = pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + "T" + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2) + "Z"
        let suffix = String(random & 0xff_ffff, radix: 16)
        value = stamp + "-" + String(repeating: "0", count: 6 - suffix.count) + suffix
    }

    /// A fresh id for a backup made at `date` that sorts after `previous` (the instance's latest
    /// backup) when both fall in the same second: ids and creation times (kept to the second) order
    /// the backups, and the latest is the next one's parent.
    public static func next(after previous: BackupID?, date: Date) -> BackupID {
        let id = BackupID(date: date)
        guard let previous, id <= previous, previous.value.hasPrefix(String(id.value.dropLast(6))),
            let suffix = UInt32(previous.value.suffix(6), radix: 16), suffix < 0xff_ffff
        else { return id }
        return BackupID(date: date, random: suffix + 1 + UInt32.random(in: 0...min(0xffff, 0xff_fffe - suffix)))
    }

    /// An id given by a user or read from a file name: 1–64 ASCII letters, digits and `-`, starting
    /// with a letter or digit.
    public init(_ value: String) throws(JoistError) {
        let bytes = Array(value.utf8)
        guard (1...64).contains(bytes.count),
            bytes.allSatisfy({ Self.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }),
            let first = bytes.first, Self.isAlphanumeric(first)
        else { throw .invalidArgument("backup id '\(value.prefix(80))' must be 1–64 letters, digits and '-', starting with a letter or digit") }
        self.value = value
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    public var description: String { value }

    public static func < (a: BackupID, b: BackupID) -> Bool { a.value < b.value }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte)
    }
}
