import Foundation
import JoistTesting
import JoistTestTraits
import Testing

/// `joist exec`, `joist file push|pull`, the guest section of `joist info` and an agent-first stop,
/// against the test guest's real qemu-ga (TCG). The agent is then paused and killed in the guest:
/// requests fail within seconds with the same clear message. Started again, with a `/sbin/shutdown`
/// (busybox has none) that says who called it, the agent is what `stop` goes through.
@Suite("Guest agent services through the CLI (real QEMU and qemu-ga)", .bootsGuests(1), .serialized, .timeLimit(.minutes(15)))
struct GuestExecTests {
    static let notAnswering = "the guest agent of vm7 is not answering: is qemu-guest-agent installed and running in the guest?"

    @Test("exec passes output, exit codes, env, cwd and stdin; files go in and out intact; info shows the OS and IPs; stop goes through the agent; no agent fails fast")
    func agentServices() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            try await joist.createGuest("vm7", guest: guest, extra: ["--nic", "user"])
            try await joist.succeed(["start", "vm7"])
            let console = try ConsoleProcess(harness: joist, instance: "vm7")
            defer { Task { await console.close() } }
            #expect(try await joist.waitForConsole("vm7", containing: TestGuest.readyMarker), "\(joist.daemonLog())")
            // qemu-ga starts in the background of the guest's init.
            #expect(await eventually(timeout: .seconds(60)) { (try? await joist.cli(["exec", "vm7", "--", "true"]))?.succeeded == true })

            let mixed = try await joist.cli(["exec", "vm7", "--", "sh", "-c", "echo out; echo err >&2; exit 3"])
            #expect(mixed.status == 3 && mixed.stdout == "out\n" && mixed.stderr == "err\n", "\(mixed)")
            let shaped = try await joist.cli(["exec", "vm7", "--env", "GREETING=hello world", "--cwd", "/etc/acpi", "--", "sh", "-c", "echo \"$GREETING\"; pwd"])
            #expect(shaped.status == 0 && shaped.stdout == "hello world\n/etc/acpi\n", "\(shaped)")
            let missing = try await joist.cli(["exec", "vm7", "--cwd", "/no/such/dir", "--", "true"])
            #expect(missing.status != 0, "\(missing)")
            let slow = try await joist.cli(["exec", "vm7", "--timeout", "1s", "--", "sleep", "30"])
            #expect(slow.status != 0 && slow.stderr.contains("did not finish within 1"), "\(slow)")
            let stopped = try await joist.cli(["exec", "vm1-missing", "--", "true"])
            #expect(!stopped.succeeded && stopped.stderr.contains("not found"), "\(stopped)")
            let piped = try await joist.cli(["exec", "vm7", "--", "sh", "-c", "tr a-z A-Z; echo done"], input: Data("piped in\n".utf8))
            #expect(piped.status == 0 && piped.stdout == "PIPED IN\ndone\n", "\(piped)")

            // 3 MiB + 5 bytes of every byte value: several 1 MiB chunks each way.
            let local = FileManager.default.temporaryDirectory.appending(path: "joist-push-\(UUID().uuidString)")
            let blob = Data((0..<(3 << 20) + 5).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) })
            try blob.write(to: local)
            defer { try? FileManager.default.removeItem(at: local) }
            try await joist.succeed(["file", "push", local.path, "vm7/tmp/blob", "--mode", "0600"])
            let stat = try await joist.succeed(["exec", "vm7", "--", "stat", "-c", "%a %s", "/tmp/blob"])
            #expect(stat == "600 \(blob.count)\n")
            let back = local.path + ".back"
            defer { try? FileManager.default.removeItem(atPath: back) }
            try await joist.succeed(["file", "pull", "vm7/tmp/blob", back])
            #expect(FileManager.default.contents(atPath: back) == blob)
            let absent = try await joist.cli(["file", "pull", "vm7/tmp/absent", back + "2"])
            #expect(!absent.succeeded && absent.stderr.contains("No such file"), "\(absent)")
            #expect(!FileManager.default.fileExists(atPath: back + "2"))
            let directory = try await joist.cli(["file", "pull", "vm7/etc", back + "3"])
            #expect(!directory.succeeded && directory.stderr.contains("Is a directory"), "\(directory)")

            let address = try #require(await console.lease(), "\(console.output)")
            let info = try await joist.succeed(["info", "vm7"])
            #expect(info.contains("Guest agent: answering") && info.contains("\(address)/"), "\(info)")

            // A paused agent: the port is open but nothing answers the handshake.
            console.send("killall -STOP qemu-ga && echo S$((40+1))\n")
            #expect(await console.waitFor("S41"), "\(console.output)")
            var started = ContinuousClock.now
            let hung = try await joist.cli(["exec", "vm7", "--", "true"])
            #expect(!hung.succeeded && hung.stderr.contains(Self.notAnswering), "\(hung)")
            #expect(ContinuousClock.now - started < .seconds(10))
            // No agent at all: QEMU knows the port is closed, so the answer is immediate.
            console.send("killall -CONT qemu-ga; killall qemu-ga && echo S$((40+2))\n")
            #expect(await console.waitFor("S42"), "\(console.output)")
            #expect(await eventually(timeout: .seconds(10)) {
                (try? await joist.cli(["exec", "vm7", "--", "true"]))?.stderr.contains(Self.notAnswering) == true
            })
            started = ContinuousClock.now
            let none = try await joist.cli(["exec", "vm7", "--", "true"])
            #expect(!none.succeeded && none.stderr.contains(Self.notAnswering), "\(none)")
            #expect(ContinuousClock.now - started < .seconds(3))
            let noInfo = try await joist.succeed(["info", "vm7"])
            #expect(noInfo.contains("Guest agent: not answering"), "\(noInfo)")

            // The agent back, with a /sbin/shutdown (busybox has none) that says who called it.
            console.send(
                "printf '#!/bin/sh\\necho AGENT-SHUTDOWN \"$@\" >/dev/console\\npoweroff\\n' >/sbin/shutdown; chmod 755 /sbin/shutdown; "
                    + "for p in /sys/class/virtio-ports/*; do [ \"$(cat $p/name)\" = org.qemu.guest_agent.0 ] && "
                    + "qemu-ga -d -m virtio-serial -p /dev/${p##*/} -l /var/log/qemu-ga.log -f /run/qemu-ga.pid -t /run; done; echo S$((40+3))\n")
            #expect(await console.waitFor("S43"), "\(console.output)")
            #expect(await eventually(timeout: .seconds(30)) { (try? await joist.cli(["exec", "vm7", "--", "true"]))?.succeeded == true })
            try await joist.succeed(["stop", "vm7", "--timeout", "60"])
            let lastExit = try await joist.info("vm7")["lastExit"] as? [String: Any]
            #expect(lastExit?["reason"] as? String == "stopped (shut down by the guest agent)", "\(String(describing: lastExit))\n\(joist.daemonLog())")
            #expect(try await joist.waitForConsole("vm7", containing: "AGENT-SHUTDOWN -h -P +0"))
        }
    }
}
