public import QMP

extension PointInTimePlan {
    /// Settles the bitmaps a backup left when the daemon died before closing its view, as one
    /// transaction (nil when there is nothing to do). `bitmaps` are the bitmaps on each disk now.
    ///
    /// Like `finish(succeeded: false)`, the changes the interrupted checkpoint's bitmap recorded go
    /// back into the base, which records again, so the next backup counts from the base and misses
    /// nothing; the interrupted checkpoint's bitmap is never kept, as no successful backup stands
    /// for it. Unlike `finish`, it looks first: the daemon may have died before the transaction (no
    /// new bitmap: nothing to do), or after a successful `finish` removed the base (the new bitmap
    /// alone goes). A base QEMU could not save (inconsistent) cannot take a merge; the next backup
    /// reads such a disk whole anyway.
    public func settleInterrupted(bitmaps: [String: [QMPDirtyBitmap]]) -> PointInTimeStep? {
        var actions: [QEMUJSON] = []
        for disk in disks where disk.tracksChanges {
            let onDisk = bitmaps[disk.names.node] ?? []
            guard onDisk.contains(where: { $0.name == checkpoint.bitmapName }) else { continue }
            let node = QEMUJSON.string(disk.names.node)
            if let base = disk.changes.base, let bitmap = onDisk.first(where: { $0.name == base.bitmapName }), !bitmap.inconsistent {
                if !bitmap.recording {
                    actions.append(Self.action("block-dirty-bitmap-enable", [("node", node), ("name", .string(base.bitmapName))]))
                }
                actions.append(
                    Self.action(
                        "block-dirty-bitmap-merge",
                        [("node", node), ("target", .string(base.bitmapName)), ("bitmaps", .array([.string(checkpoint.bitmapName)]))]))
            }
            actions.append(Self.action("block-dirty-bitmap-remove", [("node", node), ("name", .string(checkpoint.bitmapName))]))
        }
        return actions.isEmpty ? nil : .command("transaction", .object([("actions", .array(actions))]))
    }
}
