import JoistCore

extension FilesystemFreeze {
    /// The FS-FROZEN column of snapshot and backup listings: `yes`, `no` (crash-consistent; `info`
    /// or `--format yaml` says why), or `-` where there was nothing to freeze (a stopped guest, a
    /// stateful snapshot).
    static func column(_ freeze: FilesystemFreeze?) -> String {
        guard let freeze else { return "-" }
        return freeze.frozen ? "yes" : "no"
    }
}
