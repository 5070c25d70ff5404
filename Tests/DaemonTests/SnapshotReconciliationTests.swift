import Foundation
import JoistCore
import Storage
import Testing

@testable import Daemon

@Suite("Snapshot records and the images' tags")
struct SnapshotReconciliationTests {
    static let date = Date(timeIntervalSince1970: 1_760_000_000)

    static func record(_ name: String, parent: String? = nil, disks: [String] = ["default/root"]) -> SnapshotRecord {
        SnapshotRecord(
            name: name, stateful: false, parent: parent, createdAt: date, scheduled: false,
            disks: disks.map { SnapshotRecord.Disk(source: $0, size: .gibibytes(1)) }, vmStateSize: nil)
    }

    static func disk(_ source: String, _ tags: [(String, UInt64)]) -> SnapshotReconciliation.Disk {
        .init(source: source, size: .gibibytes(1), snapshots: tags.map { ImageSnapshot(name: $0.0, vmStateSize: $0.1, dateSeconds: 1_760_000_100) })
    }

    @Test("records in step with the images change nothing")
    func inStep() {
        let recorded = [Self.record("a"), Self.record("b", parent: "a")]
        let outcome = SnapshotReconciliation(recorded: recorded, current: "b", disks: [Self.disk("default/root", [("a", 0), ("b", 0)])])
        #expect(!outcome.changed && outcome.snapshots == recorded && outcome.current == "b")
    }

    @Test("a recorded snapshot missing from a disk is forgotten; its children and the current one take its parent")
    func forgetMissing() {
        let recorded = [Self.record("a"), Self.record("b", parent: "a"), Self.record("c", parent: "b")]
        let outcome = SnapshotReconciliation(recorded: recorded, current: "b", disks: [Self.disk("default/root", [("a", 0), ("c", 0)])])
        #expect(outcome.forgotten == ["b"])
        #expect(outcome.snapshots.map(\.name) == ["a", "c"])
        #expect(outcome.snapshots.last?.parent == "a")
        #expect(outcome.current == "a")
    }

    @Test("disks that were not read decide nothing")
    func unreadDisks() {
        let recorded = [Self.record("a", disks: ["default/root", "default/gone"])]
        let outcome = SnapshotReconciliation(recorded: recorded, current: nil, disks: [Self.disk("default/root", [("a", 0)])])
        #expect(!outcome.changed)
    }

    @Test("unrecorded tags are adopted with the disks holding them (the one with state first); invalid names are left alone")
    func adopt() {
        let outcome = SnapshotReconciliation(
            recorded: [], current: nil,
            disks: [Self.disk("default/root", [("saved", 0), ("auto-20251009-085320", 0)]), Self.disk("/srv/data.qcow2", [("saved", 4096), ("not valid", 0)])])
        #expect(outcome.adopted.sorted() == ["auto-20251009-085320", "saved"])
        #expect(outcome.ignored == ["not valid"])
        let saved = outcome.snapshots.first { $0.name == "saved" }
        #expect(saved?.stateful == true && saved?.vmStateSize == 4096)
        #expect(saved?.disks.map(\.source) == ["/srv/data.qcow2", "default/root"])
        #expect(outcome.snapshots.first { $0.name.hasPrefix("auto-") }?.scheduled == true)
        #expect(saved?.createdAt == Date(timeIntervalSince1970: 1_760_000_100))
    }

    @Test("removing a snapshot from the tree re-parents its children")
    func treeRemoval() {
        let tree = [Self.record("a"), Self.record("b", parent: "a"), Self.record("c", parent: "b"), Self.record("d", parent: "b")]
        let pruned = SnapshotTree.removing("b", from: tree)
        #expect(pruned.map(\.name) == ["a", "c", "d"])
        #expect(pruned.map(\.parent) == [nil, "a", "a"])
        #expect(SnapshotTree.removing("zzz", from: tree) == tree)
    }
}
