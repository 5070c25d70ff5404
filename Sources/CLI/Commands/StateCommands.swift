import ArgumentParser
import JoistAPI

/// Sends one lifecycle action to each named instance and waits for each (unless `--async`),
/// reporting every failure.
private func change(_ names: [String], _ change: InstanceStateChange, global: GlobalOptions, wait: WaitOptions) async throws {
    let client = global.client()
    try await forEachName(names) { name in
        try await client.runOperation(
            .PUT, global.scoped("/1.0/instances/\(APIClient.segment(name))/state"), body: change, wait: wait.shouldWait)
    }
}

/// Runs `body` for every name, going on past failures, and throws them all at the end.
func forEachName(_ names: [String], _ body: (String) async throws -> Void) async throws {
    var failures: [String] = []
    for name in names {
        do { try await body(name) } catch { failures.append("\(error)") }
    }
    guard failures.isEmpty else { throw CLIError(failures.joined(separator: "\nError: ")) }
}

/// `--async`: print the operation id and return instead of waiting.
struct WaitOptions: ParsableArguments {
    @Flag(name: .customLong("async"), help: "Return at once with the operation id instead of waiting.") var noWait = false
    var shouldWait: Bool { !noWait }
}

/// `joist start NAME…`
struct Start: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start instances.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Instance names.") var names: [String]
    @OptionGroup var wait: WaitOptions
    func run() async throws { try await change(names, .init(action: .start), global: global, wait: wait) }
}

/// How `stop` and `restart` end a running guest.
struct StopOptions: ParsableArguments {
    @Flag(help: "Stop immediately, without asking the guest.") var force = false
    @Option(help: "Seconds to wait for the guest to power off before forcing.") var timeout: Int = 30

    func change(_ action: InstanceStateChange.Action) -> InstanceStateChange {
        InstanceStateChange(action: action, force: force, timeout: timeout)
    }
}

/// `joist stop NAME… [--force] [--timeout N]`
struct Stop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop instances: through the guest agent when it runs, else ACPI power-down, then a hard stop after the timeout.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Instance names.") var names: [String]
    @OptionGroup var wait: WaitOptions
    @OptionGroup var stop: StopOptions
    func run() async throws { try await change(names, stop.change(.stop), global: global, wait: wait) }
}

/// `joist restart NAME… [--force] [--timeout N]`
struct Restart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restart", abstract: "Stop and start instances again.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Instance names.") var names: [String]
    @OptionGroup var wait: WaitOptions
    @OptionGroup var stop: StopOptions
    func run() async throws { try await change(names, stop.change(.restart), global: global, wait: wait) }
}

/// `joist pause NAME…`
struct Pause: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause instances (freeze their vCPUs).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Instance names.") var names: [String]
    @OptionGroup var wait: WaitOptions
    func run() async throws { try await change(names, .init(action: .pause), global: global, wait: wait) }
}

/// `joist resume NAME…`
struct Resume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume paused instances.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Instance names.") var names: [String]
    @OptionGroup var wait: WaitOptions
    func run() async throws { try await change(names, .init(action: .resume), global: global, wait: wait) }
}

/// `joist delete NAME… [--force]`
struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete instances (running ones only with --force).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Instance names.") var names: [String]
    @OptionGroup var wait: WaitOptions
    @Flag(help: "Stop running instances first.") var force = false
    func run() async throws {
        let client = global.client()
        try await forEachName(names) { name in
            try await client.runOperation(
                .DELETE, global.scoped("/1.0/instances/\(APIClient.segment(name))" + (force ? "?force=true" : "")),
                wait: wait.shouldWait)
        }
    }
}
