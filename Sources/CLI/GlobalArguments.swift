import Foundation

/// Lets global options come before the subcommand (`joist --socket PATH list`).
///
/// ArgumentParser only gives a subcommand the options declared on it, so options typed before the
/// subcommand name are moved into the environment the subcommands read (`JOIST_SOCKET`).
public enum GlobalArguments {
    /// Returns the arguments with leading global options removed, and sets the environment they stand for.
    public static func hoist(_ arguments: [String]) -> [String] {
        var rest = arguments[...]
        while let first = rest.first, first.hasPrefix("--socket") {
            if first == "--socket", rest.count >= 2 {
                setenv("JOIST_SOCKET", rest[rest.startIndex + 1], 1)
                rest = rest.dropFirst(2)
            } else if first.hasPrefix("--socket=") {
                setenv("JOIST_SOCKET", String(first.dropFirst("--socket=".count)), 1)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        return Array(rest)
    }
}
