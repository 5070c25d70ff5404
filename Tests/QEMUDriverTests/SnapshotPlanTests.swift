import Foundation
import JoistCore
import QEMUDriver
import QMP
import Testing

@Suite("Snapshot plans")
struct SnapshotPlanTests {
    static let root = AttachedDisk(spec: DiskSpec(volume: VolumeReference(pool: "default", name: "web-root")), path: "/p/web-root.qcow2", format: .qcow2)
    static let data = AttachedDisk(spec: DiskSpec(path: "/srv/data.qcow2", bus: .virtioSCSI), path: "/srv/data.qcow2", format: .qcow2)
    static let raw = AttachedDisk(spec: DiskSpec(path: "/srv/scratch.img"), path: "/srv/scratch.img", format: .raw)
    static let readOnly = AttachedDisk(spec: DiskSpec(path: "/srv/ro.img"), path: "/srv/ro.img", format: .raw, readOnly: true)
    static let cdrom = AttachedDisk.cdrom(path: "/images/installer.iso")

    @Test("covers every writable disk in order, leaving out CD-ROMs and read-only disks")
    func coveredDisks() throws {
        let plan = try SnapshotPlan(tag: "s1", disks: [Self.root, Self.cdrom, Self.readOnly, Self.data], instance: "web")
        #expect(plan.disks == [Self.root, Self.data])
        #expect(plan.vmStateNode == Self.root.names.node)
        #expect(plan.nodes == [Self.root.names.node, Self.data.names.node])
        #expect(plan.jobID("save") == "joist-save-s1")
    }

    @Test("a disk snapshot of a running guest is one transaction of internal snapshots")
    func transaction() throws {
        let plan = try SnapshotPlan(tag: "before-upgrade", disks: [Self.root, Self.data], instance: "web")
        let expected: [JSONValue] = [
            ["type": "blockdev-snapshot-internal-sync", "data": ["device": .string(Self.root.names.node), "name": "before-upgrade"]],
            ["type": "blockdev-snapshot-internal-sync", "data": ["device": .string(Self.data.names.node), "name": "before-upgrade"]],
        ]
        #expect(plan.diskSnapshotActions == expected)
    }

    @Test("a writable raw disk is refused, naming it")
    func rawRefused() {
        #expect {
            try SnapshotPlan(tag: "s1", disks: [Self.root, Self.raw], instance: "web")
        } throws: { error in
            let error = error as? JoistError
            return error?.code == .unsupported && error?.message.contains("/srv/scratch.img is raw") == true
        }
    }

    @Test("nothing to snapshot, or a tag that is not a name, is refused", arguments: [
        ([AttachedDisk](), "s1"), ([cdrom], "s1"), ([root], "bad tag"), ([root], "-x"), ([root], "a,b"),
    ])
    func refusals(disks: [AttachedDisk], tag: String) {
        #expect(throws: JoistError.self) { try SnapshotPlan(tag: tag, disks: disks, instance: "web") }
    }
}
