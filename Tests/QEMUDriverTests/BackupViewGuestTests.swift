import Foundation
import HostKit
import JoistCore
import JoistTestTraits
import JoistTesting
import Logging
import NBD
import QEMUDriver
import QMP
import Testing

/// A point-in-time view of a running test guest's disk, read over NBD while the guest keeps writing:
/// the view holds the contents of the moment it was taken, the next backup's bitmap covers exactly
/// the blocks written since (64 KiB granularity), teardown leaves QEMU as it was, and the bitmap
/// outlives the QEMU process.
@Suite("Backup views of a running guest", .bootsGuests(1), .enabled(if: StoppedDisk.available && HostTools.available), .timeLimit(.minutes(15)))
struct BackupViewGuestTests {
    static let mib = 1 << 20

    @Test("the view is the moment's contents while the guest writes; the next bitmap is exactly the writes since; it survives QEMU's exit")
    func pointInTime() async throws {
        try await withTemporaryDirectory(prefix: "jbv") { directory in
            let logger = Logger(label: "test")
            let guest = try await GuestUnderTest.boot(in: directory, name: "backup")
            defer { guest.terminate() }
            let image = directory + "/boot.qcow2"
            let disk = AttachedDisk(spec: DiskSpec(path: image, format: .qcow2), path: image, format: .qcow2)
            let nodesBefore = try await guest.qmp.queryNamedBlockNodes().map(\.nodeName).sorted()

            // The moment: 4 MiB of 'A' at the start of the disk, the rest never written.
            try await fill(guest, byte: "A", atMiB: 0, mebibytes: 4)
            let first = try await PointInTimeSession.open(
                qmp: guest.qmp, disks: [BackupDisk(disk)], checkpoint: try BackupCheckpoint("c1"),
                socketPath: directory + "/backup.nbd", scratchDirectory: directory, logger: logger)
            let export = try #require(first.exports.first)
            #expect(!export.bitmapValid)

            // After the moment: 'B' over the first MiB, and a loop rewriting 8–9 MiB while the view is read.
            try await fill(guest, byte: "B", atMiB: 0, mebibytes: 1)
            _ = try await guest.console.run(
                "(i=0; while [ $i -lt 15 ]; do \(Self.fillCommand(byte: "C", atMiB: 8, mebibytes: 1)); i=$((i+1)); done) & sleep 0")
            let reader = try await export.openReader(logger: logger)
            let view = try await reader.read(offset: 0, length: Int(reader.size))
            #expect(view.count == 64 * Self.mib)
            #expect(view[0..<(4 * Self.mib)].allSatisfy { $0 == UInt8(ascii: "A") }, "the moment's 'A's, not the later 'B's")
            #expect(view[(4 * Self.mib)...].allSatisfy { $0 == 0 }, "nothing written later shows")
            await reader.close()
            try await first.close(succeeded: true)
            _ = try await guest.console.run("wait")

            // Teardown leaves no job, export, node or scratch file.
            #expect(try await guest.qmp.queryBlockJobs().isEmpty)
            #expect(try await guest.qmp.queryBlockExports().isEmpty)
            #expect(try await guest.qmp.queryNamedBlockNodes().map(\.nodeName).sorted() == nodesBefore)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".fleece.qcow2") }.isEmpty)

            // One more byte at 5 MiB + 100; the next backup's changes are exactly the 64 KiB blocks written.
            _ = try await guest.console.run("printf X | dd of=/dev/vda bs=1 seek=\(5 * Self.mib + 100) conv=fsync 2>/dev/null")
            let second = try await PointInTimeSession.open(
                qmp: guest.qmp, disks: [BackupDisk(disk, since: try BackupCheckpoint("c1"))], checkpoint: try BackupCheckpoint("c2"),
                socketPath: directory + "/backup.nbd", scratchDirectory: directory, logger: logger)
            let incremental = try #require(second.exports.first)
            #expect(incremental.bitmapValid)
            let changes = try await incremental.openReader(logger: logger)
            let changed = try #require(try await changes.changedExtents())
            #expect(changed == [
                NBDExtent(offset: 0, length: UInt64(Self.mib), flags: 1), NBDExtent(offset: UInt64(5 * Self.mib), length: 65536, flags: 1),
                NBDExtent(offset: UInt64(8 * Self.mib), length: UInt64(Self.mib), flags: 1),
            ])
            let block = try await changes.read(offset: UInt64(5 * Self.mib), length: 65536)
            #expect(block[100] == UInt8(ascii: "X") && block[101] == 0)
            #expect(try await changes.read(offset: UInt64(8 * Self.mib), length: 4).allSatisfy { $0 == UInt8(ascii: "C") })
            await changes.close()
            try await second.close(succeeded: true)

            // QEMU exits cleanly; the bitmap is in the image, and a storage daemon finds it trustworthy.
            try await guest.qmp.quit()
            await guest.qmp.waitUntilClosed()
            #expect(await HostProcess.waitForExit(guest.pid, timeout: hangTimeout))
            #expect(try await StoppedDisk.bitmaps(image) == ["joist-c2"])
            let daemon = try await StorageDaemon.start(disks: [disk], directory: directory, logger: logger)
            let offline = try await PointInTimeSession.open(
                qmp: daemon.qmp, disks: [BackupDisk(disk, since: try BackupCheckpoint("c2"))], checkpoint: try BackupCheckpoint("c3"),
                socketPath: directory + "/backup.nbd", scratchDirectory: directory, fleecing: false, logger: logger)
            let unchanged = try await #require(offline.exports.first).openReader(logger: logger)
            #expect(try await unchanged.changedExtents() == [])
            await unchanged.close()
            try await offline.close(succeeded: true)
            try await daemon.stop()
        }
    }

    /// Busybox commands that write `mebibytes` MiB of `byte` at `atMiB` MiB of /dev/vda, flushed to the disk.
    static func fillCommand(byte: Character, atMiB: Int, mebibytes: Int) -> String {
        "dd if=/dev/zero bs=65536 count=\(16 * mebibytes) 2>/dev/null | tr '\\000' '\(byte)' | dd of=/dev/vda bs=65536 seek=\(16 * atMiB) conv=fsync 2>/dev/null"
    }

    private func fill(_ guest: GuestUnderTest, byte: Character, atMiB: Int, mebibytes: Int) async throws {
        _ = try await guest.console.run(Self.fillCommand(byte: byte, atMiB: atMiB, mebibytes: mebibytes))
    }
}
