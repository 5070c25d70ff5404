import JoistAPI
import JoistCore

/// Where `POST …/backups/{backup}/restore` writes: exactly one of a new instance and the instance itself.
enum BackupRestoreTarget: Equatable {
    case `as`(String)
    case inPlace

    init(_ body: InstanceBackupRestore, instance: String) throws(JoistError) {
        switch (body.as, body.inPlace ?? false) {
        case (let name?, false): self = .as(try ResourceName.validate(name))
        case (nil, true): self = .inPlace
        default:
            throw .invalidArgument(
                "restoring backups of instance \(instance) needs exactly one of `as` (a new instance's name) and `inPlace`")
        }
        if body.force == true, self != .inPlace {
            throw .invalidArgument("`force` applies only to an in-place restore (it drops the instance's snapshots)")
        }
    }

    /// How the operation's description ends.
    var phrase: String {
        switch self {
        case .as(let name): "as instance \(name)"
        case .inPlace: "into its disks"
        }
    }

    /// The instance the restore writes: the new one, or `original`.
    func instance(_ original: String) -> String {
        switch self {
        case .as(let name): name
        case .inPlace: original
        }
    }
}
