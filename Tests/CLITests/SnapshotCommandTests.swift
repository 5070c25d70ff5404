import Foundation
import JoistAPI
import Testing

@testable import CLI

@Suite("joist snapshot")
struct SnapshotCommandTests {
    static func snapshot(_ name: String, parent: String? = nil, current: Bool = false) -> InstanceSnapshot {
        InstanceSnapshot(name: name, stateful: false, parent: parent, createdAt: Date(timeIntervalSince1970: 1_760_000_000), current: current, disks: [])
    }

    @Test("the list draws each snapshot under its parent, siblings in order; orphans are roots")
    func tree() throws {
        let snapshots = [
            Self.snapshot("base"), Self.snapshot("a", parent: "base"), Self.snapshot("a1", parent: "a"), Self.snapshot("b", parent: "base", current: true),
            Self.snapshot("orphan", parent: "deleted"),
        ]
        let lines = SnapshotTreeLayout.lines(snapshots).map { $0.prefix + $0.snapshot.name }
        #expect(lines == ["base", "├─ a", "│  └─ a1", "└─ b", "orphan"])
        let table = try SnapshotCommand.List.render(snapshots, as: .table)
        #expect(table.contains("└─ b *"))
        let csv = try SnapshotCommand.List.render(snapshots, as: .csv)
        #expect(csv.contains("\na1,a,disk,"))
        #expect(table.contains("FS-FROZEN"))
    }

    @Test("schedule needs --every and --keep together, and checks the interval")
    func scheduleValidation() {
        #expect(throws: (any Error).self) { try SnapshotCommand.Schedule.parse(["vm1", "--every", "1h"]) }
        #expect(throws: (any Error).self) { try SnapshotCommand.Schedule.parse(["vm1", "--every", "10s", "--keep", "3"]) }
        #expect(throws: (any Error).self) { try SnapshotCommand.Schedule.parse(["vm1", "--clear", "--keep", "3"]) }
        #expect(throws: Never.self) { try SnapshotCommand.Schedule.parse(["vm1", "--every", "1h", "--keep", "24"]) }
    }
}
