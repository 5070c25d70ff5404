import Foundation
import JoistCore

/// The UI's own files (`ui/` in the repository), embedded in joistd by `scripts/embed-ui` so the
/// installed binary needs no resource folder. `JOIST_UI_DIR` serves them from a folder instead, so
/// the UI can be edited without rebuilding joistd.
struct UIAssets: Sendable {
    /// When set, files are read from here on every request.
    var directory: String?

    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> UIAssets {
        UIAssets(directory: environment["JOIST_UI_DIR"].flatMap { $0.isEmpty ? nil : $0 })
    }

    /// The file at `path` (relative to `ui/`), or a 404.
    func file(_ path: String) throws -> UIFile {
        guard UIAssets.isSafe(path) else { throw JoistError.notFound("no UI file \(path)") }
        if let directory {
            guard let data = FileManager.default.contents(atPath: directory + "/" + path) else {
                throw JoistError.notFound("no UI file \(path)")
            }
            return UIFile(bytes: Array(data), name: path)
        }
        guard let text = UIAssets.embedded[path] else { throw JoistError.notFound("no UI file \(path)") }
        return UIFile(bytes: Array(text.utf8), name: path)
    }

    /// Plain relative paths only: letters, digits, `-`, `_`, `.` in segments that are not `.` or `..`.
    static func isSafe(_ path: String) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return !segments.isEmpty && segments.allSatisfy { segment in
            !segment.isEmpty && segment != "." && segment != ".." && !segment.hasPrefix(".")
                && segment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        }
    }
}

/// Third-party browser code, built from Debian packages by `scripts/ui-vendor` (xterm.js from
/// `node-xterm` and noVNC from `novnc`, each bundled by Debian's `esbuild`) into a folder next to
/// joistd: `JOIST_UI_VENDOR`, else `ui-vendor` beside the binary (a build), else
/// `../share/joist/ui-vendor` from it (an installation).
struct UIVendor: Sendable {
    /// The only files served from the folder.
    static let files: Set<String> = ["xterm.js", "xterm.css", "novnc.js"]

    var directory: String?

    static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executable: String = runningExecutable()
    ) -> UIVendor {
        if let given = environment["JOIST_UI_VENDOR"], !given.isEmpty { return UIVendor(directory: given) }
        let binDir = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [binDir.appendingPathComponent("ui-vendor").path, binDir.appendingPathComponent("../share/joist/ui-vendor").standardized.path]
        return UIVendor(directory: candidates.first { FileManager.default.fileExists(atPath: $0 + "/xterm.js") })
    }

    /// This process's binary: `/proc/self/exe`, since `argv[0]` is only `joistd` when found on `PATH`.
    static func runningExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? ""
    }

    func file(_ name: String) throws -> UIFile {
        guard UIVendor.files.contains(name) else { throw JoistError.notFound("no vendor file \(name)") }
        guard let directory, let data = FileManager.default.contents(atPath: directory + "/" + name) else {
            throw JoistError.notFound(
                "\(name) is not installed: install the Debian packages node-xterm, novnc and esbuild, then run scripts/ui-vendor (make build does)")
        }
        return UIFile(bytes: Array(data), name: name)
    }
}
