import ArgumentParser
import Foundation
import JoistAPI

/// `joist console NAME [--log]`: attach to the serial console, or print its history.
struct Console: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Attach to an instance's serial console (detach with Ctrl-]).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Instance name.") var name: String
    @Flag(help: "Print the console history kept by joistd instead of attaching.") var log = false

    func run() async throws {
        if log {
            let history = try await global.client().send(.GET, global.scoped("/1.0/instances/\(APIClient.segment(name))/console/log"))
            FileHandle.standardOutput.write(history)
            return
        }
        try await ConsoleAttach.run(client: global.client(), instance: name, project: global.projectName)
    }
}

/// Attaches the terminal to a running instance's console.
enum ConsoleAttach {
    static func run(client: APIClient, instance: String, project: String? = nil) async throws {
        // A refused WebSocket upgrade carries no message, so ask the REST API first for a clear error.
        let query = project.map { "?project=" + APIClient.queryValue($0) } ?? ""
        let state = try await client.call(.GET, "/1.0/instances/\(APIClient.segment(instance))" + query, as: Instance.self).state
        guard state.hasProcess else { throw CLIError("instance \(instance) is not running") }
        let target = try client.webSocketTarget()
        var session = ConsoleSession(endpoint: target.endpoint, instance: instance)
        session.headers = target.headers
        session.project = project
        _ = try await session.runOnStandardStreams()
    }
}
