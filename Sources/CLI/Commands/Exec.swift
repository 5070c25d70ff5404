import ArgumentParser
import Foundation
import JoistAPI

/// `joist exec NAME [--env K=V]… [--cwd DIR] [--timeout 30s] [--stdin|--no-stdin] -- CMD ARGS…`: runs a
/// command in the guest through its guest agent, writes its output to stdout and stderr, and exits
/// with its exit code (128 + N when signal N killed it).
///
/// Standard input is sent when it is not a terminal (a pipe or a file), read to its end first; from a
/// terminal nothing is read unless `--stdin` is given (then type the input and end it with ^D). The
/// agent runs the command to completion before any output comes back: this is not interactive.
struct Exec: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command in an instance through its guest agent.",
        discussion: "Needs qemu-guest-agent running in the guest. Output arrives once the command has exited; qemu-ga keeps at most 16 MiB of each stream.")
    /// The most standard input sent (it travels base64 inside the JSON request, which joistd caps at 1 MiB).
    static let maximumInput = 512 << 10

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Instance name.") var name: String
    @Option(name: .customLong("env"), help: "Set a variable for the command (NAME=VALUE; repeatable).") var environment: [String] = []
    @Option(help: "Run in this absolute directory of the guest.") var cwd: String?
    @Option(help: "How long the command may run: 30s, 5m, 1h or seconds.") var timeout: String = "30s"
    @Flag(help: "Read standard input from the terminal too (end it with ^D).") var stdin = false
    @Flag(name: .customLong("no-stdin"), help: "Never read standard input.") var noStdin = false
    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.") var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("name the command after --: joist exec \(name) -- CMD ARGS…") }
        _ = try Self.seconds(timeout)
        _ = try Self.variables(environment)
        if stdin && noStdin { throw ValidationError("--stdin and --no-stdin contradict each other") }
    }

    func run() async throws {
        let seconds = try Self.seconds(timeout)
        var input: String?
        if !noStdin && (stdin || isatty(STDIN_FILENO) == 0) {
            let bytes = FileHandle.standardInput.readDataToEndOfFile()
            guard bytes.count <= Self.maximumInput else {
                throw CLIError("standard input is \(bytes.count) bytes; exec sends at most \(Self.maximumInput) (copy larger input with `joist file push`)")
            }
            if !bytes.isEmpty { input = bytes.base64EncodedString() }
        }
        let request = InstanceExec(
            command: command, environment: try Self.variables(environment).nilIfEmpty, cwd: cwd, stdin: input, timeout: seconds)
        let answer = try await global.client().request(
            .POST, global.scoped("/1.0/instances/\(APIClient.segment(name))/exec"), body: request, timeout: .seconds(Int64(seconds) + 60))
        let result = try answer.decode(InstanceExecResult.self)
        FileHandle.standardOutput.write(Data(base64Encoded: result.stdout) ?? Data())
        FileHandle.standardError.write(Data(base64Encoded: result.stderr) ?? Data())
        if result.truncated {
            FileHandle.standardError.write(Data("joist: the guest agent cut the command's output short (it keeps at most 16 MiB per stream)\n".utf8))
        }
        if let signal = result.signal {
            FileHandle.standardError.write(Data("joist: the command was killed by signal \(signal)\n".utf8))
            throw ExitCode(Int32(128 + signal))
        }
        if let code = result.exitCode, code != 0 { throw ExitCode(Int32(truncatingIfNeeded: code)) }
    }

    /// `30`, `30s`, `5m`, `1h` as seconds.
    static func seconds(_ text: String) throws -> Int {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600]
        var digits = Substring(text)
        var unit = 1
        if let last = text.last, let multiplier = units[last] {
            digits = digits.dropLast()
            unit = multiplier
        }
        guard let value = Int(digits), value > 0, value * unit <= 86_400 else {
            throw ValidationError("--timeout must be a duration from 1s to 24h such as 30s, 5m or 90, not '\(text)'")
        }
        return value * unit
    }

    /// `NAME=VALUE` options as a dictionary.
    static func variables(_ entries: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        for entry in entries {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw ValidationError("--env takes NAME=VALUE, not '\(entry)'")
            }
            result[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        return result
    }
}

extension Dictionary {
    fileprivate var nilIfEmpty: Self? { isEmpty ? nil : self }
}
