import Foundation

/// Chooses where a command sends its requests.
///
/// In order: an explicit `--socket` means the local socket; `--remote NAME` (or `JOIST_REMOTE`)
/// means that remote; `JOIST_SOCKET` means the local socket; then the configuration's default
/// remote; and otherwise the local socket at its default path.
struct EndpointSelection: Sendable {
    /// joistd's socket when nothing else is said.
    static let defaultSocket = "/run/joist/joist.sock"

    /// `--socket PATH`, if given.
    var socketOption: String?
    /// `--remote NAME`, if given.
    var remoteOption: String?
    /// The process environment (`JOIST_REMOTE`, `JOIST_SOCKET`).
    var environment: [String: String]

    /// The endpoint to use; reads the configuration only when a remote name is involved.
    ///
    /// - Throws: ``CLIError`` naming the known remotes when the chosen one does not exist.
    func resolve(configuration load: () throws -> RemoteConfiguration) throws -> APIEndpoint {
        if let socket = self.socketOption {
            return .unixSocket(path: socket)
        }
        if let name = self.remoteOption ?? self.nonEmpty("JOIST_REMOTE") {
            return try self.endpoint(named: name, in: try load())
        }
        if let socket = self.nonEmpty("JOIST_SOCKET") {
            return .unixSocket(path: socket)
        }
        let configuration = try load()
        return try self.endpoint(named: configuration.effectiveDefault, in: configuration, isDefault: true)
    }

    /// The socket `local` stands for: `JOIST_SOCKET`, or the default path.
    var localSocket: String { self.nonEmpty("JOIST_SOCKET") ?? Self.defaultSocket }

    /// The endpoint of remote `name` (`local` included).
    func endpoint(named name: String, in configuration: RemoteConfiguration, isDefault: Bool = false) throws -> APIEndpoint {
        if name == RemoteConfiguration.localName {
            return .unixSocket(path: self.localSocket)
        }
        guard let entry = configuration.remotes[name] else {
            let known = configuration.allNames.joined(separator: ", ")
            let what = isDefault ? "the default remote \(name) is not configured" : "no remote named \(name)"
            throw CLIError("\(what); known remotes: \(known) (see `joist remote list`)", code: "not_found")
        }
        return .remote(try RemoteEndpoint(name: name, entry: entry))
    }

    private func nonEmpty(_ variable: String) -> String? {
        guard let value = self.environment[variable], !value.isEmpty else { return nil }
        return value
    }
}
