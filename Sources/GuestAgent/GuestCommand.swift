/// A command to run in the guest, as `guest-exec` takes it: a program, its arguments and its
/// environment.
///
/// Pure, so the wrapping is tested without an agent. qemu-ga 7.2's `guest-exec` has no working
/// directory, so a `cwd` is honoured by running `/bin/sh -c 'cd "$1" && shift && exec "$@"' sh CWD
/// CMD…`: the directory and the command stay arguments, never text inside the script, so nothing the
/// user types is ever parsed by the shell.
public struct GuestCommand: Sendable, Hashable {
    /// The script that changes to `$1` and then replaces itself with the rest of its arguments.
    public static let changeDirectoryScript = #"cd "$1" && shift && exec "$@""#
    /// The search path given to a command whose caller set variables but no `PATH`: with `env`,
    /// qemu-ga gives the command exactly those variables, and no `PATH` would break most scripts.
    public static let defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The program (found through the agent's `PATH` when it has no slash).
    public var path: String
    public var arguments: [String]
    /// `NAME=value` entries; empty means the agent's own environment.
    public var environment: [String]

    /// - Throws: `GuestCommandError` for an empty command, a relative `cwd`, a variable name that is
    ///   empty or holds `=`, or any text with a NUL byte (which no C string can carry).
    public init(command: [String], environment: [String: String] = [:], cwd: String? = nil) throws(GuestCommandError) {
        guard let program = command.first, !program.isEmpty else { throw .emptyCommand }
        for text in command + environment.keys + environment.values + [cwd ?? ""] where text.contains("\0") {
            throw .nulByte(text.replacingOccurrences(of: "\0", with: "\\0"))
        }
        for name in environment.keys where name.isEmpty || name.contains("=") {
            throw .badVariableName(name)
        }
        if let cwd {
            guard cwd.hasPrefix("/") else { throw .relativeDirectory(cwd) }
            path = "/bin/sh"
            arguments = ["-c", Self.changeDirectoryScript, "sh", cwd] + command
        } else {
            path = program
            arguments = Array(command.dropFirst())
        }
        var entries = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        if !entries.isEmpty && environment["PATH"] == nil { entries.append(Self.defaultPath) }
        self.environment = entries
    }
}

/// Why a command cannot be run in the guest.
public enum GuestCommandError: Error, Sendable, Hashable, CustomStringConvertible {
    case emptyCommand
    case relativeDirectory(String)
    case badVariableName(String)
    case nulByte(String)

    public var description: String {
        switch self {
        case .emptyCommand: "no command given: name the program to run in the guest"
        case .relativeDirectory(let cwd): "the working directory must be an absolute path in the guest, not '\(cwd)'"
        case .badVariableName(let name): "'\(name)' is not an environment variable name (it must be non-empty, without '=')"
        case .nulByte(let text): "'\(text)' holds a NUL byte, which cannot be passed to a guest command"
        }
    }
}
