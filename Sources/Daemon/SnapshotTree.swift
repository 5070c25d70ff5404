/// Pure changes to an instance's list of snapshot records, which form a tree through `parent`.
enum SnapshotTree {
    /// `snapshots` without `name`; its children take its parent, so the tree stays connected.
    static func removing(_ name: String, from snapshots: [SnapshotRecord]) -> [SnapshotRecord] {
        guard let removed = snapshots.first(where: { $0.name == name }) else { return snapshots }
        return snapshots.filter { $0.name != name }.map { snapshot in
            var snapshot = snapshot
            if snapshot.parent == name { snapshot.parent = removed.parent }
            return snapshot
        }
    }
}
