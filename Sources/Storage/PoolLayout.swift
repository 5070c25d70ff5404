import Foundation
import JoistCore

/// The folders every driver keeps a pool in: `ROOT/volumes/PROJECT/…`, one folder per project.
///
/// Only validated names become path components, so nothing derived from a `VolumeHandle` leaves
/// `ROOT/volumes`.
struct PoolLayout: Sendable {
    let root: String

    var volumesFolder: String { root + "/volumes" }

    func projectFolder(_ project: String) -> String {
        volumesFolder + "/" + project
    }

    /// Refuses a root that is not an absolute, normalized path to a folder (or to nothing yet).
    func validateRoot() throws(JoistError) {
        let components = root.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard root.hasPrefix("/"), root != "/", !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw .invalidArgument("invalid pool path '\(root)': expected an absolute path such as /var/lib/joist/pools/fast")
        }
        if Filesystem.exists(root) && !Filesystem.isDirectory(root) {
            throw .invalidArgument("cannot use \(root) for a pool: it is not a folder")
        }
    }

    /// The projects that have a folder in the pool (folders with other names are not Joist's).
    func projects() throws(JoistError) -> [String] {
        try Filesystem.entries(of: volumesFolder).filter { name in
            (try? ResourceName.validate(name, kind: "project")) != nil && Filesystem.isDirectory(projectFolder(name))
        }
    }

    /// The temporaries an interrupted write left in project folders.
    func temporaries() throws(JoistError) -> [String] {
        var found: [String] = []
        for project in try projects() {
            let folder = projectFolder(project)
            found += try Filesystem.entries(of: folder).filter(TemporaryName.isTemporary).map { folder + "/" + $0 }
        }
        return found
    }

    /// Refuses (`invalidState`) to remove a pool that still holds volumes, naming them.
    func checkNoVolumes(_ volumes: [VolumeHandle]) throws(JoistError) {
        guard volumes.isEmpty else {
            let names = volumes.map(\.description).joined(separator: ", ")
            throw .invalidState("cannot remove the pool at \(root): it still holds \(volumes.count) volume(s) (\(names))")
        }
    }

    /// Removes the empty project folders, `volumes` and the root when it is empty; refuses when
    /// something that is not a volume is still there (it is not Joist's to delete).
    func removeFolders() throws(JoistError) {
        for project in try projects() {
            Filesystem.removeEmptyFolder(projectFolder(project))
        }
        Filesystem.removeEmptyFolder(volumesFolder)
        if Filesystem.exists(volumesFolder) {
            let left = try Filesystem.entries(of: volumesFolder).joined(separator: ", ")
            throw .invalidState("cannot remove the pool at \(root): \(volumesFolder) holds files that are not volumes (\(left))")
        }
        // The root may be a mount point or hold other files: then it stays.
        Filesystem.removeEmptyFolder(root)
    }
}
