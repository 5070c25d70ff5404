/// Lets global options come before the subcommand (`joist --remote prod list`, `joist --socket PATH list`).
///
/// ArgumentParser only gives a subcommand the options declared on it, so options typed before the
/// subcommand's name are moved after its arguments, where the subcommand's ``GlobalOptions`` parse
/// them as if typed there. Moving them (rather than exporting them as environment variables) keeps
/// an explicit `--socket` distinguishable from `JOIST_SOCKET`, which the endpoint choice depends on.
public enum GlobalArguments {
    /// The options that may come first.
    static let names = ["--socket", "--remote", "--project"]

    /// Returns the arguments with leading global options moved behind the subcommand's arguments
    /// (before a `--`, if there is one).
    public static func hoist(_ arguments: [String]) -> [String] {
        var globals: [String] = []
        var rest = arguments[...]
        scan: while let first = rest.first {
            for name in Self.names {
                if first == name, rest.count >= 2 {
                    globals += rest.prefix(2)
                    rest = rest.dropFirst(2)
                    continue scan
                }
                if first.hasPrefix(name + "=") {
                    globals.append(first)
                    rest = rest.dropFirst()
                    continue scan
                }
            }
            break
        }
        // Without a subcommand (`joist --socket X --help`) there is nothing to give them to.
        guard let next = rest.first, !next.hasPrefix("-") else { return Array(rest) }
        var result = Array(rest)
        result.insert(contentsOf: globals, at: result.firstIndex(of: "--") ?? result.endIndex)
        return result
    }
}
