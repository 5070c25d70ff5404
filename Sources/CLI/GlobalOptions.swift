import ArgumentParser
import Foundation

/// Options every command takes: which joistd to talk to, and in which project.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "joistd's Unix socket (default: $JOIST_SOCKET or /run/joist/joist.sock); overrides --remote.")
    var socket: String?

    @Option(name: .long, help: "The remote to talk to, from `joist remote list` (default: $JOIST_REMOTE, else the default remote).")
    var remote: String?

    @Option(name: .long, help: "Project to act in (default: $JOIST_PROJECT, else the token's own project, else default).")
    var project: String?

    /// The project asked for on the command line or in `JOIST_PROJECT`; nil lets the daemon choose.
    var projectName: String? { projectName(environment: ProcessInfo.processInfo.environment) }

    /// The project asked for on the command line or in `environment`'s `JOIST_PROJECT`.
    func projectName(environment: [String: String]) -> String? {
        project ?? environment["JOIST_PROJECT"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `path` with `?project=NAME` (or `&project=`) when a project was asked for.
    func scoped(_ path: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        guard let projectName = projectName(environment: environment) else { return path }
        return path + (path.contains("?") ? "&" : "?") + "project=" + APIClient.queryValue(projectName)
    }

    /// The rules that pick the endpoint from these options and the environment.
    func selection(environment: [String: String] = ProcessInfo.processInfo.environment) -> EndpointSelection {
        EndpointSelection(socketOption: self.socket, remoteOption: self.remote, environment: environment)
    }

    /// Where this command's requests go.
    func endpoint() throws -> APIEndpoint {
        try self.selection().resolve { try ConfigStore.located().load() }
    }

    /// A client for the chosen endpoint; an unknown remote surfaces as the first request's error.
    func client() -> APIClient {
        do {
            return APIClient(endpoint: try self.endpoint())
        } catch let error as CLIError {
            return APIClient(unresolved: error)
        } catch {
            return APIClient(unresolved: CLIError("\(error)"))
        }
    }
}
