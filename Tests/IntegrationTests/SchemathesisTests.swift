import Foundation
import JoistTesting
import Testing

/// The TLS API against openapi.yaml, fuzzed by schemathesis (from PyPI): no 5xx, no crash, every
/// answer as documented.
@Suite("OpenAPI conformance (schemathesis, real daemon)", .serialized, .timeLimit(.minutes(10)))
struct SchemathesisTests {
    @Test("a bounded schemathesis run over TLS with an admin token finds no failure")
    func schemathesis() async throws {
        try await DaemonHarness.with(listen: true) { joist in
            let address = try #require(joist.httpsAddress)
            let token = try await joist.cli(["token", "create", "fuzzer", "--role", "admin"])
            try #require(token.succeeded, "\(token)")
            let secret = token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            // Installed from PyPI out here; the run itself is in the daemon's network namespace.
            let script = RepositoryPaths.root + "/scripts/schemathesis"
            let install = try await CommandRunner.run("/bin/bash", [script, "--install"])
            try #require(install.succeeded, "\(install)")
            let run = try await joist.run("/bin/bash", [script, "https://\(address)", secret])
            #expect(run.succeeded, "\(run.stdout.suffix(6000))\n\(run.stderr.suffix(2000))")
            // The daemon survived it and still answers.
            #expect(try await joist.cli(["list"]).succeeded)
        }
    }
}
