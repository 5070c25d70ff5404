import Foundation
import JoistCore

/// A stopped disk read straight from its image files where its `HostMapping` says the data lies
/// plainly in them, and through `fallback` (the disk's NBD export) for the rest and for all that is
/// not data: its size, what changed since the last backup, its checkpoint.
///
/// Only for images nothing writes while the backup reads them (the files are read as they are on
/// disk); the mapping must be taken after the last write.
public struct MappedImageSource: BackupSource {
    public let mapping: HostMapping
    private let layers: [FileHandleBox]
    private let paths: [String]
    private let fallback: any BackupSource
    private let counter = ByteCounter()

    /// Opens `layers` (the chain's files, top first, as the mapping's layer numbers count them) read-only.
    public init(layers: [String], mapping: HostMapping, fallback: any BackupSource) throws {
        var handles: [FileHandleBox] = []
        for path in layers {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw DurableFile.failure("open", path) }
            _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
            handles.append(FileHandleBox(fd: fd))
        }
        for extent in mapping.extents {
            if case .file(let layer, _) = extent.place, layer >= layers.count {
                throw JoistError.invalidArgument("the mapping names layer \(layer) of a chain of \(layers.count)")
            }
        }
        self.mapping = mapping
        self.layers = handles
        self.paths = layers
        self.fallback = fallback
    }

    public var size: UInt64 { fallback.size }
    public var checkpoint: String? { fallback.checkpoint }

    /// Bytes read through `fallback` so far (the rest came from the files).
    public var bytesReadThroughFallback: UInt64 { counter.value }

    public func changedExtents() async throws -> [DiskExtent]? { try await fallback.changedExtents() }

    public func zeroExtents() async throws -> [DiskExtent]? { mapping.zeroExtents }

    /// Passes on to `fallback` only the parts it will be asked for.
    public func willRead(_ ranges: [DiskExtent]) {
        let elsewhere = ranges.filter { range in mapping.pieces(offset: range.offset, length: range.length).contains { $0.place == .elsewhere } }
        if !elsewhere.isEmpty { fallback.willRead(elsewhere) }
    }

    public func read(offset: UInt64, length: Int) async throws -> [UInt8] {
        guard length >= 0, offset <= size, UInt64(length) <= size - offset else {
            throw JoistError.invalidArgument("reading \(length) bytes at \(offset) of a disk of \(size)")
        }
        let pieces = mapping.pieces(offset: offset, length: UInt64(length))
        if pieces.count == 1, pieces[0].place == .elsewhere { return try await fallbackRead(pieces[0]) }
        var fetched: [UInt64: [UInt8]] = [:]
        for piece in pieces where piece.place == .elsewhere { fetched[piece.start] = try await fallbackRead(piece) }
        let layers = self.layers, paths = self.paths
        return try await BlockingWork.run { [fetched] in
            try [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
                guard let base = UnsafeMutableRawPointer(buffer.baseAddress) else { return }
                for piece in pieces {
                    let target = base + Int(piece.start - offset)
                    let count = Int(piece.length)
                    switch piece.place {
                    case .zero:
                        target.initializeMemory(as: UInt8.self, repeating: 0, count: count)
                    case .elsewhere:
                        fetched[piece.start]?.withUnsafeBytes { target.copyMemory(from: $0.baseAddress!, byteCount: count) }
                    case .file(let layer, let fileOffset):
                        try Self.readFully(layers[layer].fd, into: target, count: count, at: fileOffset, path: paths[layer])
                    }
                }
                initialized = length
            }
        }
    }

    private func fallbackRead(_ piece: HostMapping.Extent) async throws -> [UInt8] {
        let bytes = try await fallback.read(offset: piece.start, length: Int(piece.length))
        guard bytes.count == Int(piece.length) else {
            throw JoistError.hostFailure("reading \(piece.length) bytes at \(piece.start) returned \(bytes.count)")
        }
        counter.add(piece.length)
        return bytes
    }

    /// Reads `count` bytes at `offset` of the file; a file that ends first is an error (the
    /// mapping promised the bytes are there).
    static func readFully(_ fd: Int32, into target: UnsafeMutableRawPointer, count: Int, at offset: UInt64, path: String) throws {
        var done = 0
        while done < count {
            let got = pread(fd, target + done, count - done, off_t(offset) + off_t(done))
            if got < 0 {
                if errno == EINTR { continue }
                throw DurableFile.failure("read", path)
            }
            guard got > 0 else { throw JoistError.hostFailure("\(path) ended at \(offset + UInt64(done)), before \(offset + UInt64(count))") }
            done += got
        }
    }
}

/// A count shared by the copies of a source.
final class ByteCounter: @unchecked Sendable {
    // @unchecked: `total` is guarded by `lock`.
    private let lock = NSLock()
    private var total: UInt64 = 0

    func add(_ bytes: UInt64) { lock.withLock { total += bytes } }
    var value: UInt64 { lock.withLock { total } }
}
