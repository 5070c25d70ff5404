import Backup
import Foundation
import JoistCore
import JoistTesting
import Storage
import Testing

@Suite("Restoring backups of raw disk files")
struct RestoreTests {
    @Test("a restored disk equals the source byte for byte (cmp and qemu-img compare), with 4 MiB chunks")
    func restoreEqualsSource() async throws {
        try await withTemporaryDirectory { folder in
            // 5 chunks and a short last one: random, zeros, a repeated chunk, random again.
            let chunk = ChunkStore.defaultChunkSize
            let random = randomBytes(chunk, seed: 51)
            let disk = random + [UInt8](repeating: 0, count: 2 * chunk) + random + randomBytes(chunk + 12_345, seed: 52)
            let sourcePath = folder + "/disk.raw"
            try Data(disk).write(to: URL(fileURLWithPath: sourcePath))

            let store = try ChunkStore.openOrCreate(folder + "/store")
            let manifest = try await BackupWriter(store: store).write(
                project: "default", instance: "web-1", disks: ["root": try FileBackupSource(path: sourcePath)])
            #expect(manifest.disks[0].chunks.count == 6)
            #expect(manifest.stats.chunksZero == 2)
            #expect(manifest.stats.chunksReused == 1)
            #expect(manifest.stats.chunksNew == 3)

            let restored = folder + "/restored.raw"
            let reports = ProgressLog()
            try await BackupReader(store: store).restore(
                manifest, disk: "root", to: RawFileRestoreTarget(path: restored), progress: { reports.append($0) })
            #expect(reports.last?.bytesDone == UInt64(disk.count))
            #expect(try await QemuImg().compare(sourcePath, format: .raw, restored, format: .raw))
            let cmp = Process()
            cmp.executableURL = URL(fileURLWithPath: "/usr/bin/cmp")
            cmp.arguments = [sourcePath, restored]
            try cmp.run()
            cmp.waitUntilExit()
            #expect(cmp.terminationStatus == 0)
        }
    }

    @Test("restore never overwrites an existing file, and names a disk the backup lacks")
    func refusals() async throws {
        try await withTemporaryDirectory { folder in
            let store = try makeStore(folder)
            let manifest = try await BackupWriter(store: store).write(
                project: "default", instance: "web-1", disks: ["root": MemorySource(randomBytes(1000, seed: 1))])
            let existing = folder + "/existing.raw"
            try Data("keep me".utf8).write(to: URL(fileURLWithPath: existing))
            #expect(throws: JoistError.self) { try RawFileRestoreTarget(path: existing) }
            #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")
            await #expect(throws: JoistError.self) {
                try await BackupReader(store: store).restore(manifest, disk: "data", to: RawFileRestoreTarget(path: folder + "/x.raw"))
            }
        }
    }
}

/// Progress reports collected from any thread.
final class ProgressLog: @unchecked Sendable {
    // @unchecked: `items` is guarded by `lock`.
    private let lock = NSLock()
    private var items: [BackupProgress] = []

    func append(_ item: BackupProgress) { lock.withLock { items.append(item) } }
    var last: BackupProgress? { lock.withLock { items.last } }
}
