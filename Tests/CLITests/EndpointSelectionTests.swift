import ArgumentParser
import JoistTLS
import Testing

#if canImport(CLIConsole)
@testable import CLIConsole
#else
@testable import CLI
#endif

@Suite("Choosing the endpoint")
struct EndpointSelectionTests {
    /// A configuration with remotes `prod` and `stage`, `stage` the default.
    static func configuration() throws -> RemoteConfiguration {
        let pem = try SelfSignedCertificate.generate(dnsNames: ["localhost"], ipAddresses: []).certificatePEM
        let fingerprint = try CertificateFingerprint(pem: pem).description
        let entry = { (port: Int) in
            RemoteConfiguration.Entry(url: "https://127.0.0.1:\(port)", token: "t", certificate: pem, fingerprint: fingerprint)
        }
        return RemoteConfiguration(defaultRemote: "stage", remotes: ["prod": entry(1), "stage": entry(2)])
    }

    /// What each case should pick: a socket path, or a remote's name.
    enum Pick: Equatable, CustomStringConvertible {
        case socket(String)
        case remote(String)
        var description: String {
            switch self {
            case .socket(let path): "socket \(path)"
            case .remote(let name): "remote \(name)"
            }
        }
    }

    @Test(
        "precedence: --socket, then --remote or JOIST_REMOTE, then JOIST_SOCKET, then the default remote, then local",
        arguments: [
            (["--socket", "/a.sock", "--remote", "prod"], ["JOIST_REMOTE": "prod", "JOIST_SOCKET": "/b.sock"], Pick.socket("/a.sock")),
            (["--remote", "prod"], ["JOIST_REMOTE": "stage", "JOIST_SOCKET": "/b.sock"], .remote("prod")),
            ([], ["JOIST_REMOTE": "prod", "JOIST_SOCKET": "/b.sock"], .remote("prod")),
            ([], ["JOIST_SOCKET": "/b.sock"], .socket("/b.sock")),
            ([], [:], .remote("stage")),
            (["--remote", "local"], ["JOIST_SOCKET": "/b.sock"], .socket("/b.sock")),
            (["--remote", "local"], [:], .socket("/run/joist/joist.sock")),
            ([], ["JOIST_REMOTE": ""], .remote("stage")),
        ] as [([String], [String: String], Pick)]
    )
    func precedence(arguments: [String], environment: [String: String], expected: Pick) throws {
        let options = try GlobalOptions.parse(arguments)
        let endpoint = try options.selection(environment: environment).resolve { try Self.configuration() }
        switch endpoint {
        case .unixSocket(let path): #expect(Pick.socket(path) == expected)
        case .remote(let remote): #expect(Pick.remote(remote.name) == expected)
        }
    }

    @Test("without a default remote, nothing set means the local socket; the configuration is read only when needed")
    func localByDefault() throws {
        let endpoint = try EndpointSelection(environment: [:]).resolve { RemoteConfiguration() }
        #expect(endpoint == .unixSocket(path: "/run/joist/joist.sock"))
        let explicit = try EndpointSelection(socketOption: "/x.sock", environment: [:]).resolve {
            throw CLIError("must not be read")
        }
        #expect(explicit == .unixSocket(path: "/x.sock"))
    }

    @Test("an unknown remote, or a default that no longer exists, names the known remotes")
    func unknown() throws {
        let error = #expect(throws: CLIError.self) {
            try EndpointSelection(remoteOption: "nope", environment: [:]).resolve { try Self.configuration() }
        }
        #expect(error?.message == "no remote named nope; known remotes: local, prod, stage (see `joist remote list`)")
        var configuration = try Self.configuration()
        configuration.defaultRemote = "gone"
        let stale = #expect(throws: CLIError.self) { try EndpointSelection(environment: [:]).resolve { configuration } }
        #expect(stale?.message.hasPrefix("the default remote gone is not configured; known remotes: local, prod, stage") == true)
    }

    @Test("a stored remote whose certificate does not match its fingerprint is refused as damaged")
    func damaged() throws {
        var configuration = try Self.configuration()
        configuration.remotes["prod"]?.fingerprint = String(repeating: "00:", count: 31) + "00"
        let error = #expect(throws: CLIError.self) {
            try EndpointSelection(remoteOption: "prod", environment: [:]).resolve { configuration }
        }
        #expect(error?.message.hasPrefix("remote prod is damaged in the configuration") == true)
    }
}

@Suite("Global options before the subcommand")
struct GlobalArgumentsTests {
    @Test(
        "leading --socket and --remote move behind the subcommand's arguments, before a --",
        arguments: [
            (["--remote", "prod", "list"], ["list", "--remote", "prod"]),
            (["--socket=/x", "--remote", "prod", "start", "a", "b"], ["start", "a", "b", "--socket=/x", "--remote", "prod"]),
            (["--remote=prod", "config", "set", "web-1", "--", "cmdline=x"], ["config", "set", "web-1", "--remote=prod", "--", "cmdline=x"]),
            (["list", "--remote", "prod"], ["list", "--remote", "prod"]),
            (["--socket", "/x", "--help"], ["--help"]),
            (["--socket", "/x"], []),
        ]
    )
    func hoist(arguments: [String], expected: [String]) {
        #expect(GlobalArguments.hoist(arguments) == expected)
    }

    @Test("a hoisted --remote reaches the subcommand's options, and an explicit --socket still wins")
    func parsed() throws {
        let list = try #require(try JoistCommand.parseAsRoot(GlobalArguments.hoist(["--remote", "prod", "list"])) as? List)
        #expect(list.global.remote == "prod")
        let both = try #require(
            try JoistCommand.parseAsRoot(GlobalArguments.hoist(["--socket", "/x.sock", "--remote", "prod", "list"])) as? List)
        #expect(try both.global.selection(environment: [:]).resolve { RemoteConfiguration() } == .unixSocket(path: "/x.sock"))
    }
}
