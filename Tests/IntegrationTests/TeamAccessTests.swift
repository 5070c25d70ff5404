import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// Remote access, tokens, projects, operations, events and audit, through the real CLI against a real
/// daemon serving TLS on loopback.
@Suite("Teams over TLS (real daemon)", .bootsGuests, .serialized, .timeLimit(.minutes(15)))
struct TeamAccessTests {
    @Test("a project-bound operator works remotely in its project only, never naming host files; a viewer reads; audit and events record it")
    func remoteTeamWork() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with(listen: true) { joist in
            let address = try #require(joist.httpsAddress)
            let config = joist.stateDirectory + "/client"
            // Admin on the Unix socket: a limited project and two tokens.
            #expect(try await joist.cli(["project", "create", "team", "--limit", "instances=2,memory=512MiB"]).succeeded)
            let operatorToken = try await secret(joist.cli(["token", "create", "ops", "--role", "operator", "--project", "team"]))
            let viewerToken = try await secret(joist.cli(["token", "create", "eyes", "--role", "viewer", "--project", "team"]))

            // A second user's CLI: pins the certificate on first use.
            let remote = { (arguments: [String]) in
                try await joist.run(joist.joist, arguments, environment: ["JOIST_CONFIG_DIR": config, "PATH": "/usr/bin:/bin"])
            }
            let added = try await remote(["remote", "add", "lab", "https://\(address)", "--token", operatorToken])
            #expect(added.succeeded, "\(added)")
            #expect(added.stdout.contains("Certificate fingerprint:"), "\(added)")
            #expect(try await remote(["remote", "add", "peek", "https://\(address)", "--token", viewerToken]).succeeded)
            #expect(try await remote(["remote", "switch", "lab"]).succeeded)

            // Events, watched by the admin while the operator works.
            let monitor = try ConsoleProcess(
                harness: joist, arguments: ["--socket", joist.socketPath, "monitor", "--type", "lifecycle,operation", "--format", "json"])
            defer { Task { await monitor.close() } }
            try await Task.sleep(for: .milliseconds(500))

            // A kernel is a file on joistd's host: only the admin on the Unix socket may name one, so the
            // admin creates the team's instances and the operator is refused.
            let create = ["create", "--kernel", guest.kernel, "--initrd", guest.initrd, "--cmdline", TestGuest.cmdline, "--memory", "256MiB", "--accel", "tcg"]
            let refused = try await remote(create + ["extra"])
            #expect(!refused.succeeded)
            #expect(refused.stderr.contains("only the local administrator on joistd's Unix socket may name files on joistd's host"), "\(refused)")
            #expect(try await joist.cli(["--project", "team"] + create + ["web"]).succeeded)
            #expect(try await joist.cli(["--project", "team"] + create + ["db"]).succeeded)
            let third = try await joist.cli(["--project", "team"] + create + ["third"])
            #expect(!third.succeeded)
            #expect(third.stderr.contains("would exceed its limit"), "\(third)")
            #expect(try await remote(["start", "web"]).succeeded)
            // The guest boots; its console is reached through its project.
            var booted = false
            for _ in 0..<600 where !booted {
                booted = try await remote(["console", "web", "--log"]).stdout.contains(TestGuest.readyMarker)
                if !booted { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(booted)
            #expect(try await joist.cli(["--project", "team", "console", "web", "--log"]).stdout.contains(TestGuest.readyMarker))
            #expect(!(try await joist.cli(["console", "web", "--log"]).succeeded), "web is not in the default project")

            // Isolation: the default project does not see team's instances; the admin can look in.
            #expect(try await joist.cli(["list", "--format", "csv"]).stdout == "NAME,STATE,IPV4,CPUS,MEMORY,ACCEL,PID,UPTIME\n")
            let teamList = try await joist.cli(["list", "--project", "team", "--format", "csv"]).stdout
            #expect(teamList.contains("web,RUNNING") && teamList.contains("db,STOPPED"), "\(teamList)")
            #expect(try await remote(["list", "--project", "default"]).stderr.contains("limited to project team"))

            // The viewer reads but cannot act.
            #expect(try await remote(["--remote", "peek", "list"]).stdout.contains("web"))
            let denied = try await remote(["--remote", "peek", "stop", "web"])
            #expect(!denied.succeeded)
            #expect(denied.stderr.contains("needs operator"), "\(denied)")

            let info = try await joist.cli(["project", "info", "team"]).stdout
            #expect(info.contains("instances: 2 / 2"), "\(info)")
            #expect(try await remote(["stop", "--force", "web"]).succeeded)

            // Audit: who did what, with denials.
            let audit = try await joist.cli(["audit", "--format", "csv"]).stdout
            #expect(audit.contains(",ops,instance.create,extra,team,denied,403"), "\(audit)")
            #expect(audit.contains(",local,instance.create,web,team,succeeded,201"), "\(audit)")
            #expect(audit.contains(",local,instance.create,third,team,failed,429"), "\(audit)")
            #expect(audit.contains(",ops,instance.start,web,team,succeeded"), "\(audit)")
            #expect(audit.contains(",eyes,instance.state,web,team,denied,403"), "\(audit)")

            // The event stream saw the start (lifecycle) and its operation end.
            #expect(await monitor.waitFor("\"instance-state-changed\"", timeout: hangTimeout), "\(monitor.output)")
            #expect(await monitor.waitFor("\"succeeded\"", timeout: hangTimeout), "\(monitor.output)")

            // A revoked token stops working at once.
            #expect(try await joist.cli(["token", "revoke", "eyes"]).succeeded)
            #expect(try await remote(["--remote", "peek", "list"]).stderr.contains("invalid or revoked token"))

            // The pinned certificate is kept with the remote (a changed one is refused: CLITests).
            let pinned = try String(contentsOfFile: config + "/config.yaml", encoding: .utf8)
            #expect(pinned.contains("BEGIN CERTIFICATE"))
            #expect(try await remote(["delete", "--force", "web"]).succeeded)
            #expect(try await remote(["delete", "db"]).succeeded)
        }
    }

    private func secret(_ result: CommandResult) throws -> String {
        try #require(result.succeeded, "\(result)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
