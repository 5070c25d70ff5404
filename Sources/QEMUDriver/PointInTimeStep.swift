/// One step of setting up or taking down a point-in-time export: a QMP command, a command that ends
/// asynchronously (its event is awaited), or a scratch file made or removed. Data, so plans are
/// golden-tested without QEMU.
public enum PointInTimeStep: Sendable, Equatable, CustomStringConvertible {
    /// An empty qcow2 scratch image of `size` bytes at `path` (`qemu-img create`): the fleecing overlay
    /// that keeps the old contents of blocks the guest overwrites.
    case createScratch(path: String, size: Int64)
    /// A QMP command that is done when it answers.
    case command(String, QEMUJSON)
    /// `block-export-del` (mode `hard`: connections are dropped) and the wait for `BLOCK_EXPORT_DELETED`;
    /// an export that is already gone counts as done.
    case deleteExport(id: String)
    /// `block-job-cancel` and the wait for the job to end; a job that is already gone counts as done.
    case cancelJob(id: String)
    /// Removes a scratch file; a missing one counts as done.
    case removeScratch(path: String)
    /// `blockdev-snapshot-delete-internal-sync`; a disk without the snapshot counts as done.
    case deleteInternalSnapshot(node: String, name: String)

    /// One line: the command and its JSON arguments.
    public var description: String {
        switch self {
        case .createScratch(let path, let size): "qemu-img create -f qcow2 \(path) \(size)"
        case .command(let name, let arguments): "\(name) \(arguments.rendered)"
        case .deleteExport(let id):
            "block-export-del " + QEMUJSON.object([("id", .string(id)), ("mode", .string("hard"))]).rendered
                + " await BLOCK_EXPORT_DELETED"
        case .cancelJob(let id):
            "block-job-cancel " + QEMUJSON.object([("device", .string(id)), ("force", .bool(true))]).rendered
                + " await BLOCK_JOB_CANCELLED"
        case .removeScratch(let path): "rm \(path)"
        case .deleteInternalSnapshot(let node, let name):
            "blockdev-snapshot-delete-internal-sync " + QEMUJSON.object([("device", .string(node)), ("name", .string(name))]).rendered
        }
    }
}
