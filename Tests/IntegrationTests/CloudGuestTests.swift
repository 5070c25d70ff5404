import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// The whole path of issue 7 on a real distribution: the Debian image `joist image build` makes,
/// launched with an SSH key, a hostname and user-data; the guest's own cloud-init applies them from
/// the cidata seed, its qemu-guest-agent answers `joist exec`, and its sshd takes the key through a
/// forwarded port.
@Suite("A Debian guest configured by cloud-init, reached by exec and ssh (real cloud-init, real QEMU)", .bootsGuests(1), .serialized, .timeLimit(.minutes(30)))
struct CloudGuestTests {
    @Test("launch --ssh-key --hostname --user-data: the hostname is set, the key authorized, runcmd ran; exec passes exit codes and stderr; ssh logs in; a snapshot freezes the filesystems; stop asks the agent; changed user-data applies only with --reapply")
    func launchedAndReached() async throws {
        try await DaemonHarness.with { joist in
            try await DebianTestImage.ensure(in: joist)
            let folder = joist.stateDirectory + "/client"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let key = folder + "/id_ed25519"
            try await HostTool.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "joist-e2e", "-f", key])
            let publicKey = try String(contentsOfFile: key + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            let userData = folder + "/user-data"
            try "#cloud-config\nruncmd:\n  - [sh, -c, 'echo marker-$(hostname) > /var/tmp/joist-runcmd']\n"
                .write(toFile: userData, atomically: true, encoding: .utf8)

            // The daemon has a network namespace of its own: port 2222 on its loopback is free.
            try await joist.succeed([
                "launch", DebianTestImage.alias, "web1", "--memory", "1GiB", "--accel", "tcg", "--ssh-key", key + ".pub",
                "--hostname", "web-one", "--user-data", userData, "--nic", "user,hostfwd=tcp:127.0.0.1:2222-:22",
            ])
            let launched = ContinuousClock.now
            #expect(try await joist.waitForConsole("web1", containing: "Cloud-init v.", timeout: .seconds(600)), "\(joist.daemonLog().suffix(3000))")
            let marker = try await waitForExec(joist, "web1", ["cat", "/var/tmp/joist-runcmd"], timeout: .seconds(600))
            print("debian-12 with cloud-init: runcmd's marker readable through the agent \(ContinuousClock.now - launched) after launch")
            #expect(marker == "marker-web-one\n", "\(marker)")

            #expect(try await joist.succeed(["exec", "web1", "--", "hostname"]) == "web-one\n")
            let authorized = try await joist.succeed(["exec", "web1", "--", "cat", "/home/joist/.ssh/authorized_keys"])
            #expect(authorized.contains(publicKey), "\(authorized)")
            let failing = try await joist.cli(["exec", "web1", "--", "sh", "-c", "echo out; echo err >&2; exit 7"])
            #expect(failing.status == 7 && failing.stdout == "out\n" && failing.stderr.contains("err"), "\(failing)")
            let info = try await joist.succeed(["info", "web1"])
            #expect(info.contains("Debian GNU/Linux 12") && info.contains("10.0.2.15"), "\(info)")

            // SSH through the forward, with the injected key: `joist ssh`, and plain ssh to the port.
            let viaJoist = try await joist.cli(["ssh", "web1", "--identity", key, "--", "cat", "/var/tmp/joist-runcmd"])
            #expect(viaJoist.succeeded && viaJoist.stdout == "marker-web-one\n", "\(viaJoist)")
            let plain = try await joist.run("/usr/bin/ssh", [
                "-i", key, "-o", "IdentitiesOnly=yes", "-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no",
                "-p", "2222", "joist@127.0.0.1", "sudo", "-n", "cat", "/etc/hostname",
            ])
            #expect(plain.succeeded && plain.stdout == "web-one\n", "\(plain)")

            // A disk snapshot of the running guest freezes its filesystems through the agent, which logs it.
            try await joist.succeed(["snapshot", "create", "web1", "s1"])
            let journal = try await joist.succeed(["exec", "web1", "--", "journalctl", "-u", "qemu-guest-agent", "--no-pager"])
            #expect(journal.contains("guest-fsfreeze called"), "\(journal.suffix(2000))")

            // Stop goes through the agent first.
            try await joist.succeed(["stop", "web1"])
            let stopped = try await joist.info("web1")
            let reason = (stopped["lastExit"] as? [String: Any])?["reason"] as? String
            #expect(reason?.contains("guest agent") == true, "\(stopped)")

            // New user-data is applied at the next boot only with --reapply (a new instance-id).
            let changed = folder + "/user-data-2"
            try "#cloud-config\nruncmd:\n  - [sh, -c, 'echo second > /var/tmp/joist-runcmd-2']\n".write(toFile: changed, atomically: true, encoding: .utf8)
            try await joist.succeed(["config", "set", "web1", "cloud-init.user-data=@" + changed])
            try await joist.succeed(["start", "web1"])
            _ = try await waitForExec(joist, "web1", ["cloud-init", "status", "--wait"], timeout: .seconds(600))
            let kept = try await joist.cli(["exec", "web1", "--", "test", "-e", "/var/tmp/joist-runcmd-2"])
            #expect(kept.status == 1, "new user-data ran without --reapply: \(kept)")
            try await joist.succeed(["stop", "web1"])
            try await joist.succeed(["config", "set", "web1", "cloud-init.user-data=@" + changed, "--reapply"])
            try await joist.succeed(["start", "web1"])
            _ = try await waitForExec(joist, "web1", ["cloud-init", "status", "--wait"], timeout: .seconds(600))
            #expect(try await joist.succeed(["exec", "web1", "--", "cat", "/var/tmp/joist-runcmd-2"]) == "second\n")
            try await joist.succeed(["delete", "--force", "web1"])
        }
    }

    /// Runs `command` in the guest until the agent answers and it succeeds; its stdout.
    private func waitForExec(_ joist: DaemonHarness, _ name: String, _ command: [String], timeout: Duration) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last: CommandResult?
        while ContinuousClock.now < deadline {
            let result = try await joist.cli(["exec", name, "--"] + command)
            if result.succeeded { return result.stdout }
            last = result
            try await Task.sleep(for: .seconds(3))
        }
        throw TestSetupError("`joist exec \(name) -- \(command.joined(separator: " "))` did not succeed within \(timeout): \(last.map { "\($0)" } ?? "never ran")")
    }
}
