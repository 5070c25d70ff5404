import Foundation

/// A remote joistd's address: `https://HOST:PORT`, nothing more.
struct RemoteURL: Sendable, Hashable, CustomStringConvertible {
    /// A host name or IP address, without brackets, e.g. `10.0.0.5`, `vmhost.example` or `::1`.
    let host: String
    /// The TLS port, e.g. 8443.
    let port: Int

    /// Parses `https://HOST:PORT` (a trailing `/` is allowed; IPv6 hosts in brackets).
    ///
    /// - Throws: ``CLIError`` saying what is wrong: another scheme, no port, a path, credentials…
    init(parsing text: String) throws {
        let usage = "remote URL '\(text)' must look like https://HOST:PORT"
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw CLIError("\(usage)", code: "invalid_argument")
        }
        guard scheme == "https" else {
            throw CLIError("\(usage): only https is supported, not \(scheme)", code: "invalid_argument")
        }
        guard var host = components.host, !host.isEmpty else {
            throw CLIError("\(usage): the host is missing", code: "invalid_argument")
        }
        guard let port = components.port, (1...65535).contains(port) else {
            throw CLIError("\(usage): the port is missing (joistd --listen sets it, e.g. 8443)", code: "invalid_argument")
        }
        guard components.user == nil, components.password == nil, components.query == nil, components.fragment == nil,
            components.path.isEmpty || components.path == "/"
        else {
            throw CLIError("\(usage): no path, query or credentials", code: "invalid_argument")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host
        self.port = port
    }

    /// `HOST:PORT`, with IPv6 hosts in brackets: the HTTP `Host` header and the URL's authority.
    var authority: String { self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)" }

    /// `https://HOST:PORT`.
    var description: String { "https://\(self.authority)" }
}
