import Foundation
import JoistCore
import Storage
import Synchronization
import Testing

/// Linked and full clones: the same expectations for every driver.
@Suite("Storage contract: clones")
struct StorageCloneContractTests {
    let qemuImg = QemuImg()

    /// A 64 MiB volume `src` with 0xab in its first MiB.
    func makeSource(in pool: any StorageBackend, format: DiskFormat = .qcow2) async throws -> VolumeHandle {
        let source = try volume("src", format)
        try await pool.create(source, size: 64 * mebibyte)
        try await Tool.write(pool.path(of: source), format: format, pattern: 0xab)
        return source
    }

    func sameData(_ pool: any StorageBackend, _ a: VolumeHandle, _ b: VolumeHandle) async throws -> Bool {
        try await qemuImg.compare(pool.path(of: a), format: .init(a.format), pool.path(of: b), format: .init(b.format))
    }

    @Test("a linked clone reads the source's data and shares it rather than copying it", arguments: PoolKind.allCases)
    func linkedShares(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            let source = try await makeSource(in: pool)
            let clone = try volume("clone")
            #expect(try await pool.clone(source, to: clone, linked: true, progress: nil) == kind.linkedCloneKind)
            #expect(try await sameData(pool, source, clone))
            #expect(try await Tool.reads(pool.path(of: clone), format: .qcow2, pattern: 0xab))
            let info = try await pool.inspect(clone)
            #expect(info.virtualSize == 64 * mebibyte)
            if kind.linkedCloneKind == .linked {
                #expect(info.backingFilename == "src.qcow2")
                #expect(try pool.dependents(of: source) == [clone])
                #expect(try #require(info.actualSize) < mebibyte)
            } else {
                let usage = try await Tool.run("btrfs", ["filesystem", "du", "-s", "--raw", pool.path(of: clone)])
                #expect(try Self.sharedBytes(inBtrfsDu: usage) >= mebibyte, "\(usage)")
            }
        }
    }

    @Test("writing to a clone leaves its source unchanged", arguments: PoolKind.allCases, [true, false])
    func cloneWritesStayInClone(kind: PoolKind, linked: Bool) async throws {
        try await kind.withPool { pool in
            let source = try await makeSource(in: pool)
            let clone = try volume("clone")
            _ = try await pool.clone(source, to: clone, linked: linked, progress: nil)
            try await Tool.write(pool.path(of: clone), format: .qcow2, pattern: 0xcd, length: 4096)
            #expect(try await Tool.reads(pool.path(of: source), format: .qcow2, pattern: 0xab))
            #expect(try await Tool.reads(pool.path(of: clone), format: .qcow2, pattern: 0xcd, length: 4096))
            #expect(try await !sameData(pool, source, clone))
        }
    }

    @Test("a full clone has the same contents and outlives its source", arguments: PoolKind.allCases, DiskFormat.allCases)
    func fullClone(kind: PoolKind, format: DiskFormat) async throws {
        try await kind.withPool { pool in
            let source = try await makeSource(in: pool, format: format)
            let clone = try volume("copy", format)
            let fractions = ProgressLog()
            #expect(try await pool.clone(source, to: clone, linked: false, progress: fractions.record) == .independent)
            #expect(try await sameData(pool, source, clone))
            #expect(try await pool.inspect(clone).backingFilename == nil)
            #expect(fractions.values.last == 1)
            try await pool.delete(source)
            #expect(try await Tool.reads(pool.path(of: clone), format: format, pattern: 0xab))
        }
    }

    @Test("a raw volume's linked clone is an independent copy", arguments: PoolKind.allCases)
    func rawLinkedFallsBack(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            let source = try await makeSource(in: pool, format: .raw)
            let clone = try volume("clone", .raw)
            #expect(try await pool.clone(source, to: clone, linked: true, progress: nil) == .independent)
            #expect(try await sameData(pool, source, clone))
            #expect(try pool.dependents(of: source).isEmpty)
        }
    }

    @Test("clone refuses a missing source, a taken target and a change of format", arguments: PoolKind.allCases)
    func cloneRefusals(kind: PoolKind) async throws {
        try await kind.withPool { pool in
            let source = try await makeSource(in: pool)
            let missing = await #expect(throws: JoistError.self) {
                try await pool.clone(try volume("nope"), to: try volume("x"), linked: true, progress: nil)
            }
            #expect(missing?.code == .notFound)
            let missingOverTaken = await #expect(throws: JoistError.self) {
                try await pool.clone(try volume("other"), to: source, linked: false, progress: nil)
            }
            #expect(missingOverTaken?.code == .notFound)
            try await pool.create(try volume("other"), size: 16 * mebibyte)
            let exists = await #expect(throws: JoistError.self) {
                try await pool.clone(source, to: try volume("other"), linked: true, progress: nil)
            }
            #expect(exists?.code == .alreadyExists)
            let format = await #expect(throws: JoistError.self) {
                try await pool.clone(source, to: try volume("raw-copy", .raw), linked: false, progress: nil)
            }
            #expect(format?.code == .invalidArgument)
            #expect(Set(try pool.volumes()) == Set([source, try volume("other")]))
            #expect(try await pool.sweep().isEmpty)
        }
    }

    /// The "Set shared" column of `btrfs filesystem du -s --raw`.
    static func sharedBytes(inBtrfsDu output: String) throws -> UInt64 {
        let row = try #require(output.split(separator: "\n").last)
        let columns = row.split(separator: " ", omittingEmptySubsequences: true)
        return try #require(columns.count >= 3 ? UInt64(columns[2]) : nil)
    }
}

/// Collects the fractions a `ProgressHandler` receives.
final class ProgressLog: Sendable {
    private let state = Mutex<[Double]>([])
    var values: [Double] { state.withLock { $0 } }
    var record: ProgressHandler { { fraction in self.state.withLock { $0.append(fraction) } } }
}
