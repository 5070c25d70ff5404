import Foundation
import JoistAPI
import Testing

@testable import CLI

@Suite("joist backup")
struct BackupCommandTests {
    static let date = Date(timeIntervalSince1970: 1_760_000_000)

    static func backup(_ instance: String, exists: Bool?) -> InstanceBackup {
        InstanceBackup(
            id: "20251009T085320Z-00000\(instance.count)", store: "default", instance: instance, createdAt: date, kind: "full",
            disks: [InstanceBackupDisk(name: "default/data", size: 1 << 30, read: "full", stats: .init())], stats: .init(bytesRead: 1 << 30),
            instanceExists: exists)
    }

    @Test("a store's listing has an INSTANCE column marking deleted instances; an instance's listing has none")
    func listing() throws {
        let backups = [Self.backup("web", exists: true), Self.backup("gone", exists: false)]
        let store = try BackupCommand.List.render(backups, as: .table, showingInstances: true)
        #expect(store.hasPrefix("INSTANCE"), "\(store)")
        #expect(store.contains("gone (deleted)") && !store.contains("web (deleted)"), "\(store)")
        let one = try BackupCommand.List.render([Self.backup("web", exists: true)], as: .csv)
        #expect(one.hasPrefix("ID,STORE,KIND"), "\(one)")
    }

    @Test("restore needs exactly one of --as and --in-place; --force only with --in-place")
    func restoreOptions() {
        #expect(throws: (any Error).self) { try BackupCommand.Restore.parse(["vm1", "20251009T085320Z-000001"]) }
        #expect(throws: (any Error).self) { try BackupCommand.Restore.parse(["vm1", "20251009T085320Z-000001", "--as", "vm2", "--in-place"]) }
        #expect(throws: (any Error).self) { try BackupCommand.Restore.parse(["vm1", "20251009T085320Z-000001", "--as", "vm2", "--force"]) }
        #expect(throws: Never.self) { try BackupCommand.Restore.parse(["vm1", "20251009T085320Z-000001", "--in-place", "--force"]) }
        #expect(throws: Never.self) { try BackupCommand.Restore.parse(["vm1", "20251009T085320Z-000001", "--as", "vm2"]) }
    }

    @Test("verify takes an instance and id, or --all with an optional --store; list takes an instance or --store")
    func verifyAndListOptions() {
        #expect(throws: Never.self) { try BackupCommand.Verify.parse(["--all", "--store", "offsite"]) }
        #expect(throws: Never.self) { try BackupCommand.Verify.parse(["vm1", "20251009T085320Z-000001"]) }
        #expect(throws: (any Error).self) { try BackupCommand.Verify.parse(["vm1", "--all"]) }
        #expect(throws: (any Error).self) { try BackupCommand.Verify.parse(["vm1"]) }
        #expect(throws: (any Error).self) { try BackupCommand.Verify.parse(["vm1", "20251009T085320Z-000001", "--store", "offsite"]) }
        #expect(throws: (any Error).self) { try BackupCommand.List.parse([]) }
        #expect(throws: Never.self) { try BackupCommand.List.parse(["--store", "default"]) }
    }

    @Test("the progress line of a restore shows bytes as a bar, and a store-wide verify its chunks")
    func progressLines() {
        func operation(_ description: String, _ progress: OperationProgress) -> JoistAPI.Operation {
            JoistAPI.Operation(
                id: "1", action: "instance.backup-restore", description: description, project: "default", resources: [], status: .running,
                progress: progress, mayCancel: true, requestedBy: "local", createdAt: Self.date, updatedAt: Self.date)
        }
        let restore = operation(
            "Restoring backup B of instance web into its disks",
            OperationProgress(done: 1 << 29, total: 1 << 30, unit: "bytes", stage: "restoring disk default/data"))
        #expect(OperationWaiter.line(restore, width: 10) == "Restoring backup B of instance web into its disks [#####-----] 50% restoring disk default/data")
        let verify = operation(
            "Verifying the backups of project default in backup store default",
            OperationProgress(done: 3, total: 4, unit: "chunks", stage: "checking chunks"))
        #expect(OperationWaiter.line(verify, width: 4) == "Verifying the backups of project default in backup store default [###-] 75% checking chunks")
    }
}
