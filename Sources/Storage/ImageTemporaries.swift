/// The temporaries that image writes outside any pool (exports to a user's file) leave beside their
/// destination when they are interrupted: `.joist-tmp-<16 hex digits>-NAME` next to `NAME`.
///
/// A pool's temporaries are found by sweeping the pool; these are found from the destination, which
/// whoever started the write remembers until it ends.
public enum ImageTemporaries {
    /// The temporaries of writes to `destination` still beside it.
    public static func beside(_ destination: String) throws -> [String] {
        let slash = destination.lastIndex(of: "/")
        let folder = slash.map { String(destination[..<$0]) } ?? "."
        let name = slash.map { String(destination[destination.index(after: $0)...]) } ?? destination
        return try Filesystem.entries(of: folder.isEmpty ? "/" : folder)
            .filter { TemporaryName.isTemporary($0) && $0.hasSuffix("-" + name) && $0.utf8.count == TemporaryName.make(for: name).utf8.count }
            .map { (folder.isEmpty ? "" : folder) + "/" + $0 }
    }

    /// Removes the temporaries of writes to `destination`; returns what it removed.
    @discardableResult
    public static func remove(besides destination: String) throws -> [String] {
        let found = try beside(destination)
        for path in found { try Filesystem.remove(path) }
        return found
    }
}
