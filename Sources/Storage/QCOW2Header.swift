import Foundation
import JoistCore

/// The few fields of a qcow2 header Joist reads without starting qemu-img (version 2 and 3 share
/// them): a daemon start looks at every disk, and one read of 64 bytes costs far less than a process.
public struct QCOW2Header: Sendable, Equatable {
    /// How many internal snapshots the image holds (`nb_snapshots`, big-endian at byte 60).
    public var snapshotCount: UInt32

    /// Bytes of the header the fields lie in.
    public static let prefixLength = 64

    /// Parses the header's first bytes; nil when they are not a qcow2 header (no magic, too short).
    public init?(prefix bytes: some Collection<UInt8>) {
        let bytes = Array(bytes.prefix(Self.prefixLength))
        guard bytes.count == Self.prefixLength, DiskFormat.detect(header: bytes) == .qcow2 else { return nil }
        snapshotCount = bytes[60..<64].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Reads the header of the image at `path`; nil when it is not qcow2.
    public static func read(atPath path: String) throws -> QCOW2Header? {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw JoistError.notFound("cannot open disk image \(path)")
        }
        defer { try? handle.close() }
        return QCOW2Header(prefix: try handle.read(upToCount: prefixLength) ?? Data())
    }
}
