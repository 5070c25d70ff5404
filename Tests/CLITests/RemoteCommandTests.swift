import JoistTesting
import ArgumentParser
import Foundation
import JoistTLS
import Testing

#if canImport(CLIConsole)
@testable import CLIConsole
#else
@testable import CLI
#endif

/// `joist remote …` run in-process against a TLS test server, with the configuration in a temporary
/// directory. Serialized: the commands find their configuration through the process environment.
@Suite("joist remote against a TLS server", .serialized)
struct RemoteCommandTests {
    static let token = "joist_ci.s3cret"

    @Test("add pins the certificate, checks the token, saves 0600; later requests use the pin and token")
    func addAndUse() async throws {
        try await withConfiguration { store, directory in
            try await TLSTestServer.withServer(token: Self.token, directory: directory + "/server") { server in
                try await runJoist(["remote", "add", "prod", server.url, "--token", Self.token])

                #expect(try permissions(store.directory) == 0o700)
                #expect(try permissions(store.path) == 0o600)
                let entry = try #require(try store.load().remotes["prod"])
                #expect(entry.url == server.url)
                #expect(entry.token == Self.token)
                #expect(entry.fingerprint == (try server.fingerprint.description))
                #expect(try CertificateFingerprint(pem: entry.certificate) == server.fingerprint)
                #expect(try store.load().defaultRemote == nil)

                let client = try GlobalOptions.parse(["--remote", "prod"]).client()
                let response = try await client.request(.GET, "/1.0/instances/web-1")
                #expect(response.status == 200)
                #expect(response.header("etag") == "\"7\"")
                #expect(server.handled.value == ["/1.0", "/1.0/instances/web-1"])
            }
        }
    }

    @Test("add reports the fingerprint first, then who the token is")
    func addReports() async throws {
        try await withConfiguration { store, directory in
            try await TLSTestServer.withServer(token: Self.token, directory: directory + "/server") { server in
                let lines = ConsoleLockedValue<[String]>([])
                let enrollment = RemoteEnrollment(store: store, report: { line in lines.withLock { $0.append(line) } })
                let info = try await enrollment.add(name: "prod", url: server.url, token: Self.token, expectedFingerprint: nil)
                #expect(info.identity == "ci")
                #expect(
                    lines.value == [
                        "Certificate fingerprint: \(try server.fingerprint)",
                        "Added remote prod: identity ci, role operator",
                    ])
            }
        }
    }

    @Test("a wrong token is refused with the daemon's error and nothing is saved")
    func wrongToken() async throws {
        try await withConfiguration { store, directory in
            try await TLSTestServer.withServer(token: Self.token, directory: directory + "/server") { server in
                let error = await #expect(throws: CLIError.self) {
                    try await runJoist(["remote", "add", "prod", server.url, "--token", "joist_ci.wrong"])
                }
                #expect(error?.status == 401)
                #expect(error?.code == "unauthenticated")
                #expect(error?.message.contains("missing or invalid token") == true)
                #expect(error?.message.hasSuffix("nothing was saved") == true)
                #expect(!FileManager.default.fileExists(atPath: store.path))
            }
        }
    }

    @Test("--fingerprint must match: a mismatch is refused before the token is sent; a match in any spelling is accepted")
    func expectedFingerprint() async throws {
        try await withConfiguration { store, directory in
            try await TLSTestServer.withServer(token: Self.token, directory: directory + "/server") { server in
                let other = try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: [])
                let wrong = try CertificateFingerprint(pem: other.certificatePEM).description
                let error = await #expect(throws: CLIError.self) {
                    try await runJoist(["remote", "add", "prod", server.url, "--token", Self.token, "--fingerprint", wrong])
                }
                #expect(error?.code == "fingerprint_mismatch")
                #expect(error?.message.contains("not the expected \(wrong)") == true)
                #expect(server.handled.value.isEmpty)
                #expect(try store.load().remotes.isEmpty)

                let typed = try server.fingerprint.description.lowercased().replacingOccurrences(of: ":", with: "")
                try await runJoist(["remote", "add", "prod", server.url, "--token", Self.token, "--fingerprint", typed])
                #expect(try store.load().remotes["prod"] != nil)
            }
        }
    }

    @Test("a server restarted with a new certificate is refused as changed, and no request reaches it")
    func certificateChanged() async throws {
        try await withConfiguration { store, directory in
            let (port, pinned) = try await Self.withServerOutsideEphemeralPorts(directory: directory + "/first") { server in
                try await runJoist(["remote", "add", "prod", server.url, "--token", Self.token])
                return (server.port, try server.fingerprint)
            }
            try await Self.withServerOutsideEphemeralPorts(port: port, directory: directory + "/second") { server in
                let now = try server.fingerprint
                #expect(now != pinned)
                let expected = """
                    the certificate of remote prod changed (pinned \(pinned), now \(now)); refusing to connect. \
                    If you expected this, run: joist remote remove prod && joist remote add prod https://127.0.0.1:\(port) --token …
                    """
                let client = try GlobalOptions.parse(["--remote", "prod"]).client()
                let restError = await #expect(throws: CLIError.self) { try await client.send(.GET, "/1.0") }
                #expect(restError?.message == expected)
                #expect(restError?.code == "certificate_changed")

                let socketError = await #expect(throws: CLIError.self) {
                    try await client.withWebSocket(path: "/1.0/events") { _ in }
                }
                #expect(socketError?.message == expected)
                #expect(server.handled.value.isEmpty)
                // The pin is kept: nothing changes until the user removes and re-adds the remote.
                #expect(try store.load().remotes["prod"]?.fingerprint == pinned.description)
            }
        }
    }

    /// A server on `port`, or on a free port below the kernel's ephemeral range: a restart binds the
    /// same port again, and a port the kernel handed out could meanwhile go to another test's
    /// port-0 listener. A bind that fails is tried again, on another port when none was given.
    static func withServerOutsideEphemeralPorts<Result: Sendable>(
        port: Int? = nil, directory: String, _ body: @Sendable (TLSTestServer) async throws -> Result
    ) async throws -> Result {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await TLSTestServer.withServer(token: Self.token, port: port ?? Int.random(in: 20000..<30000), directory: directory, body)
            } catch where attempt < 50 && "\(error)".contains("Address already in use") {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    @Test("switch sets the default, list marks it, remove forgets a remote and resets the default")
    func switchListRemove() async throws {
        try await withConfiguration { store, directory in
            try await TLSTestServer.withServer(token: Self.token, directory: directory + "/server") { server in
                try await runJoist(["remote", "add", "alpha", server.url, "--token", Self.token])
                try await runJoist(["remote", "add", "beta", server.url, "--token", Self.token])
                try await runJoist(["remote", "switch", "beta"])
                #expect(try store.load().defaultRemote == "beta")
                #expect(try GlobalOptions.parse([]).selection(environment: [:]).resolve { try store.load() } == .remote(
                    RemoteEndpoint(name: "beta", entry: try #require(try store.load().remotes["beta"]))))

                let short = try server.fingerprint.abbreviated
                let table = try Remote.List.render(try store.load(), localSocket: "/run/joist/joist.sock", as: .table)
                #expect(
                    table == Table(
                        headers: ["NAME", "URL", "FINGERPRINT", "DEFAULT"],
                        rows: [
                            ["local", "unix:///run/joist/joist.sock", "-", ""],
                            ["alpha", server.url, short, ""],
                            ["beta", server.url, short, "*"],
                        ]
                    ).aligned())
                let json = try Remote.List.render(try store.load(), localSocket: "/s", as: .json)
                #expect(json.contains(#""default" : true"#))
                #expect(json.contains(try server.fingerprint.description))

                try await runJoist(["remote", "remove", "beta"])
                #expect(try store.load().remotes.keys.sorted() == ["alpha"])
                #expect(try store.load().defaultRemote == nil)
                try await runJoist(["remote", "switch", "alpha"])
                try await runJoist(["remote", "switch", "local"])
                #expect(try store.load().defaultRemote == nil)

                let local = await #expect(throws: CLIError.self) { try await runJoist(["remote", "remove", "local"]) }
                #expect(local?.message.contains("built in") == true)
                let unknown = await #expect(throws: CLIError.self) { try await runJoist(["remote", "switch", "gamma"]) }
                #expect(unknown?.message == "no remote named gamma; known remotes: local, alpha")
                let taken = await #expect(throws: CLIError.self) {
                    try await runJoist(["remote", "add", "alpha", server.url, "--token", Self.token])
                }
                #expect(taken?.code == "already_exists")
            }
        }
    }

    @Test(
        "bad names and URLs are refused before connecting",
        arguments: [
            ("local", "https://127.0.0.1:8443", "remote name 'local' is taken by the built-in local socket"),
            ("bad_name", "https://127.0.0.1:8443", "remote name 'bad_name' may only contain ASCII letters, digits and '-'"),
            ("prod", "http://127.0.0.1:8443", "remote URL 'http://127.0.0.1:8443' must look like https://HOST:PORT: only https is supported, not http"),
            ("prod", "https://127.0.0.1", "remote URL 'https://127.0.0.1' must look like https://HOST:PORT: the port is missing (joistd --listen sets it, e.g. 8443)"),
            ("prod", "https://127.0.0.1:8443/api", "remote URL 'https://127.0.0.1:8443/api' must look like https://HOST:PORT: no path, query or credentials"),
        ]
    )
    func invalidArguments(name: String, url: String, message: String) async throws {
        try await withConfiguration { store, _ in
            let error = await #expect(throws: CLIError.self) {
                try await runJoist(["remote", "add", name, url, "--token", Self.token])
            }
            #expect(error?.message == message)
            #expect(!FileManager.default.fileExists(atPath: store.path))
        }
    }

    @Test("an unknown --remote fails the first request with the known remotes")
    func unknownRemote() async throws {
        try await withConfiguration { _, _ in
            let client = try GlobalOptions.parse(["--remote", "nowhere"]).client()
            let error = await #expect(throws: CLIError.self) { try await client.send(.GET, "/1.0") }
            #expect(error?.message == "no remote named nowhere; known remotes: local (see `joist remote list`)")
        }
    }
}

/// Runs `body` with `JOIST_CONFIG_DIR` pointing at a fresh directory, and the other endpoint
/// variables unset; passes the store and a scratch directory.
private func withConfiguration(_ body: (ConfigStore, String) async throws -> Void) async throws {
    try await withTemporaryDirectory { directory in
        let configDirectory = directory + "/config"
        setenv("JOIST_CONFIG_DIR", configDirectory, 1)
        unsetenv("JOIST_REMOTE")
        unsetenv("JOIST_SOCKET")
        defer { unsetenv("JOIST_CONFIG_DIR") }
        try await body(ConfigStore(directory: configDirectory), directory)
    }
}

/// Runs `joist ARGUMENTS` in this process the way its `main` does.
func runJoist(_ arguments: [String]) async throws {
    var command = try JoistCommand.parseAsRoot(GlobalArguments.hoist(arguments))
    if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
    } else {
        try command.run()
    }
}
