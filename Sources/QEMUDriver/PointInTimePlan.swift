public import JoistCore

/// The QMP steps that give a backup a point-in-time view of a guest's disks over NBD, and take it
/// down again, as data; `PointInTimeSession` runs them.
///
/// For a running guest (`fleecing`), each disk gets a scratch qcow2 overlay whose backing is the disk's
/// format node, and a `blockdev-backup` job with `sync: none` from the disk to it: from the moment the
/// job starts, QEMU copies a block's old contents to the overlay before the guest overwrites it
/// (copy-before-write), so the overlay reads as the disk was at that moment while the guest keeps
/// writing. The jobs of all disks start in one `transaction` together with the bitmap switch: each
/// qcow2 disk gets a new persistent bitmap for the new checkpoint, and the previous one is disabled, so
/// it holds exactly the changes between the two checkpoints: no gap, no overlap. The overlays are
/// exported read-only over NBD, each with its previous bitmap as `qemu:dirty-bitmap:joist-ID`.
///
/// For a stopped guest (its disks opened by `qemu-storage-daemon`), nothing writes, so the format nodes
/// themselves are exported and only the bitmaps are switched.
///
/// With a `snapshot`, the same transaction also takes a qcow2 internal snapshot of the named disks
/// (`blockdev-snapshot-internal-sync`), so the snapshot holds exactly what the backup reads. QEMU
/// takes internal snapshots of root nodes only, and an overlay whose backing is the disk makes the
/// disk a non-root node: with a snapshot the overlays are opened without a backing and get it
/// (`blockdev-reopen`) right after the transaction, before anything reads them.
public struct PointInTimePlan: Sendable, Equatable {
    /// A disk snapshot taken at the backup's moment.
    public struct Snapshot: Sendable, Equatable {
        /// Its tag in every image it covers.
        public var name: String
        /// The format nodes of the disks it covers (writable qcow2 ones).
        public var nodes: [String]

        public init(name: String, nodes: [String]) {
            self.name = name
            self.nodes = nodes
        }
    }

    /// One disk's names and decisions.
    public struct Disk: Sendable, Equatable {
        public var source: DiskSpec.Source
        public var names: DiskNames
        public var size: Int64
        public var changes: ChangeTracking
        /// The bitmap switch happens only on qcow2 images.
        public var tracksChanges: Bool
        /// The fleecing overlay: its scratch file, node and file node (nil without fleecing).
        public var scratchPath: String?
        /// The node the export reads: the overlay, or the disk itself.
        public var exportedNode: String
        public var exportName: String { names.node }
        public var exportID: String { names.node + "-exp" }
        public var jobID: String { names.node + "-fleece" }
        var overlayNode: String { names.node + "-pit" }
        var overlayFileNode: String { names.node + "-pit-file" }
        /// The copy-before-write filter the job puts above the disk's node while it runs.
        var filterNode: String { names.node + "-cbw" }
        /// Every node the view adds, for checking that teardown left none.
        public var addedNodes: [String] { scratchPath == nil ? [] : [overlayNode, overlayFileNode, filterNode] }
    }

    public var disks: [Disk]
    public var checkpoint: BackupCheckpoint
    /// The NBD server's socket.
    public var socketPath: String
    public var fleecing: Bool
    public var snapshot: Snapshot?

    /// Granularity of the bitmaps Joist creates: one bit per 64 KiB, qcow2's cluster size.
    public static let bitmapGranularity = 65536

    public init(
        disks: [(source: DiskSpec.Source, format: DiskFormat, size: Int64, changes: ChangeTracking)],
        checkpoint: BackupCheckpoint, socketPath: String, scratchDirectory: String, fleecing: Bool, snapshot: Snapshot? = nil
    ) {
        self.checkpoint = checkpoint
        self.snapshot = snapshot
        self.socketPath = socketPath
        self.fleecing = fleecing
        self.disks = disks.map { disk in
            let names = DiskNames(for: disk.source)
            let scratch = fleecing ? "\(scratchDirectory)/\(names.node)-\(checkpoint.id).fleece.qcow2" : nil
            return Disk(
                source: disk.source, names: names, size: disk.size, changes: disk.changes, tracksChanges: disk.format == .qcow2,
                scratchPath: scratch, exportedNode: fleecing ? names.node + "-pit" : names.node)
        }
    }

    /// Before the transaction: scratch overlays opened on top of the disks, and the NBD server.
    public var prepare: [PointInTimeStep] {
        var steps: [PointInTimeStep] = []
        for disk in disks {
            guard let scratch = disk.scratchPath else { continue }
            steps.append(.createScratch(path: scratch, size: disk.size))
            steps.append(
                .command(
                    "blockdev-add",
                    .object([
                        ("driver", .string("qcow2")), ("node-name", .string(disk.overlayNode)),
                        (
                            "file",
                            .object([
                                ("driver", .string("file")), ("filename", .string(scratch)), ("node-name", .string(disk.overlayFileNode)),
                            ])
                        ),
                        ("backing", snapshot == nil ? .string(disk.names.node) : .null),
                    ])))
        }
        // `nbd-server-start` takes the legacy address form, with the path under `data`.
        let address = QEMUJSON.object([("type", .string("unix")), ("data", .object([("path", .string(socketPath))]))])
        steps.append(.command("nbd-server-start", .object([("addr", address)])))
        return steps
    }

    /// The moment itself, atomic across all disks: bitmap switch and fleecing jobs.
    public var transaction: PointInTimeStep {
        var actions: [QEMUJSON] = []
        for disk in disks {
            if disk.tracksChanges {
                actions.append(
                    Self.action(
                        "block-dirty-bitmap-add",
                        [
                            ("node", .string(disk.names.node)), ("name", .string(checkpoint.bitmapName)),
                            ("granularity", .int(Self.bitmapGranularity)), ("persistent", .bool(true)),
                        ]))
            }
            if let base = disk.changes.base {
                actions.append(Self.action("block-dirty-bitmap-disable", Self.bitmap(disk, base)))
            }
            if let snapshot, snapshot.nodes.contains(disk.names.node) {
                // Before the disk's backup job: the job's filter would make the disk a non-root node.
                actions.append(
                    Self.action("blockdev-snapshot-internal-sync", [("device", .string(disk.names.node)), ("name", .string(snapshot.name))]))
            }
            if fleecing {
                actions.append(
                    Self.action(
                        "blockdev-backup",
                        [
                            ("job-id", .string(disk.jobID)), ("device", .string(disk.names.node)), ("target", .string(disk.overlayNode)),
                            ("sync", .string("none")), ("filter-node-name", .string(disk.filterNode)),
                        ]))
            }
        }
        return .command("transaction", .object([("actions", .array(actions))]))
    }

    /// After the transaction: (with a snapshot) the overlays get their backing, then one read-only NBD
    /// export per disk, with its base bitmap when incremental.
    public var exports: [PointInTimeStep] {
        var steps: [PointInTimeStep] = []
        if snapshot != nil {
            for disk in disks where disk.scratchPath != nil {
                let overlay = QEMUJSON.object([
                    ("driver", .string("qcow2")), ("node-name", .string(disk.overlayNode)), ("file", .string(disk.overlayFileNode)),
                    ("backing", .string(disk.names.node)),
                ])
                steps.append(.command("blockdev-reopen", .object([("options", .array([overlay]))])))
            }
        }
        return steps
            + disks.map { disk in
            var fields: [(String, QEMUJSON)] = [
                ("type", .string("nbd")), ("id", .string(disk.exportID)), ("node-name", .string(disk.exportedNode)),
                ("name", .string(disk.exportName)), ("writable", .bool(false)),
            ]
            if let base = disk.changes.base { fields.append(("bitmaps", .array([.string(base.bitmapName)]))) }
            return .command("block-export-add", .object(fields))
            }
    }

    /// Deletes the snapshot from its disks: the backup it belongs to failed. A disk without it
    /// (the transaction never ran) is passed over by the runner.
    public var dropSnapshot: [PointInTimeStep] {
        guard let snapshot else { return [] }
        return snapshot.nodes.map { .deleteInternalSnapshot(node: $0, name: snapshot.name) }
    }

    /// Takes the view down: exports, jobs (which removes the copy-before-write filters), overlays,
    /// scratch files, the NBD server. Each step tolerates what is already gone.
    public var teardown: [PointInTimeStep] {
        var steps: [PointInTimeStep] = disks.map { .deleteExport(id: $0.exportID) }
        for disk in disks {
            guard let scratch = disk.scratchPath else { continue }
            steps += [
                .cancelJob(id: disk.jobID), .command("blockdev-del", .object([("node-name", .string(disk.overlayNode))])),
                .command("blockdev-del", .object([("node-name", .string(disk.overlayFileNode))])), .removeScratch(path: scratch),
            ]
        }
        steps.append(.command("nbd-server-stop", .object([])))
        return steps
    }

    /// What happens to the bitmaps once the backup ended, as one transaction (nil when there is nothing to do).
    ///
    /// - Success: the new checkpoint's bitmap goes on recording; the base bitmap is removed, and so are
    ///   stale Joist bitmaps (`otherBitmaps`: left by interrupted backups, or untrustworthy).
    /// - Failure: the new bitmap's changes are merged back into the base, which records again, and the
    ///   new bitmap is removed: the next backup counts from the base checkpoint as before, missing
    ///   nothing. Without a base, the new bitmap is just removed.
    ///
    /// Bitmaps without Joist's prefix (a user's own) are never touched.
    public func finish(succeeded: Bool, otherBitmaps: [String: [String]] = [:]) -> PointInTimeStep? {
        var actions: [QEMUJSON] = []
        for disk in disks where disk.tracksChanges {
            let new = Self.bitmap(disk, checkpoint)
            if succeeded {
                if let base = disk.changes.base { actions.append(Self.action("block-dirty-bitmap-remove", Self.bitmap(disk, base))) }
                let stale = (otherBitmaps[disk.names.node] ?? []).filter {
                    $0.hasPrefix(BackupCheckpoint.bitmapPrefix) && $0 != checkpoint.bitmapName && $0 != disk.changes.base?.bitmapName
                }
                for stale in stale {
                    actions.append(Self.action("block-dirty-bitmap-remove", [("node", .string(disk.names.node)), ("name", .string(stale))]))
                }
            } else {
                if let base = disk.changes.base {
                    actions.append(Self.action("block-dirty-bitmap-enable", Self.bitmap(disk, base)))
                    actions.append(
                        Self.action(
                            "block-dirty-bitmap-merge",
                            [
                                ("node", .string(disk.names.node)), ("target", .string(base.bitmapName)),
                                ("bitmaps", .array([.string(checkpoint.bitmapName)])),
                            ]))
                }
                actions.append(Self.action("block-dirty-bitmap-remove", new))
            }
        }
        return actions.isEmpty ? nil : .command("transaction", .object([("actions", .array(actions))]))
    }

    private static func bitmap(_ disk: Disk, _ checkpoint: BackupCheckpoint) -> [(String, QEMUJSON)] {
        [("node", .string(disk.names.node)), ("name", .string(checkpoint.bitmapName))]
    }

    static func action(_ type: String, _ data: [(String, QEMUJSON)]) -> QEMUJSON {
        .object([("type", .string(type)), ("data", .object(data))])
    }
}
