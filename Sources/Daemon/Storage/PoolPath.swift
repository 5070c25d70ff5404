import Foundation
import JoistCore

/// The rules for a pool's folder: an absolute, normalized path that no other pool's folder contains
/// or lies inside, so two pools never hold the same files.
enum PoolPath {
    /// Returns `path` when it is absolute and normalized (no `.`, `..`, empty or trailing components)
    /// and free of control characters; throws an `invalidArgument` that says what is wrong otherwise.
    @discardableResult
    static func validate(_ path: String) throws(JoistError) -> String {
        guard path.hasPrefix("/") else {
            throw .invalidArgument("pool path '\(path)' must be absolute, e.g. /srv/joist/pool")
        }
        guard path != "/" else { throw .invalidArgument("a pool cannot be the root folder /") }
        guard path.utf8.count <= 1024 else { throw .invalidArgument("pool path '\(path.prefix(64))…' is longer than 1024 bytes") }
        guard !path.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidArgument("pool path '\(path)' must not contain control characters")
        }
        let components = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        if let bad = components.first(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
            let why = bad.isEmpty ? "an empty component (// or a trailing /)" : "'\(bad)'"
            throw .invalidArgument("pool path '\(path)' must be normalized: it has \(why)")
        }
        return path
    }

    /// Whether one folder is the other or lies inside it.
    static func overlaps(_ a: String, _ b: String) -> Bool {
        a == b || a.hasPrefix(b + "/") || b.hasPrefix(a + "/")
    }

    /// The forms of `path` to compare: as written and, when it exists, with symlinks resolved (so a
    /// link cannot smuggle one pool into another).
    static func forms(of path: String) -> [String] {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        return resolved == path ? [path] : [path, resolved]
    }

    /// Whether the two folders overlap as written or once symlinks are resolved.
    static func conflict(_ a: String, _ b: String) -> Bool {
        forms(of: a).contains { x in forms(of: b).contains { y in overlaps(x, y) } }
    }
}
