import Activity
import Backup
import Foundation
import JoistAPI
import JoistCore
import Testing

@testable import APIServer
@testable import Daemon

/// What the daemon does at start-up with a backup the previous daemon left unfinished, once the
/// instance settled its view: the manifest goes (it was never confirmed), the operation fails.
@Suite("Backups interrupted by a daemon crash")
struct InterruptedBackupTests {
    @Test("a manifest the interrupted backup wrote is deleted, other backups stay, and only a store that holds it is touched")
    func discardsManifest() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        let stores = fixture.services.backupStores
        let disk = fixture.directory + "/disk.raw"
        try Data(repeating: 7, count: 1 << 20).write(to: URL(fileURLWithPath: disk))
        let (kept, interrupted) = try await stores.withStore(BackupStore.defaultName) { store in
            let writer = BackupWriter(store: store)
            let kept = try await writer.write(project: "default", instance: "web", disks: ["disk": try FileBackupSource(path: disk)])
            let interrupted = try await writer.write(
                project: "default", instance: "web", disks: ["disk": try FileBackupSource(path: disk)], parent: kept)
            return (kept.id, interrupted.id)
        }
        let path = fixture.directory + "/backups"
        let note = BackupInProgress(backup: interrupted.value, storePath: path, snapshot: nil, disks: [], operation: nil)
        var elsewhere = note
        elsewhere.storePath = "/mnt/unknown"
        #expect(await stores.discardInterrupted(elsewhere, of: "web", in: "default") == false)
        #expect(await stores.discardInterrupted(note, of: "web", in: "default"))
        #expect(await stores.backups(of: "web", in: "default").map(\.id) == [kept.value])
        #expect(await stores.discardInterrupted(note, of: "web", in: "default") == false, "nothing left to delete")
    }

    @Test("the note round-trips through its file; a damaged note reads as none")
    func noteFile() throws {
        let folder = "/tmp/jn-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(BackupInProgress.read(from: folder) == nil)
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let operation = JoistAPI.Operation(
            id: "0b6f2c1e-0000-4000-8000-000000000001", action: "instance.backup-create", description: "Backing up instance web",
            project: "default", resources: [], status: .running, mayCancel: true, requestedBy: "local", createdAt: date, updatedAt: date)
        let note = BackupInProgress(
            backup: "20261130T120000Z-000001", storePath: "/srv/backups", snapshot: "nightly",
            disks: [.init(source: "default/web-root", base: "20261129T120000Z-000001"), .init(source: "/srv/scratch.img", base: nil)],
            operation: operation)
        try note.write(into: folder)
        #expect(BackupInProgress.read(from: folder) == note)
        try Data("{".utf8).write(to: URL(fileURLWithPath: folder + "/" + BackupInProgress.fileName))
        #expect(BackupInProgress.read(from: folder) == nil)
    }
}
