import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// Bad input gets a clear error and a non-zero exit, and creates nothing.
@Suite("Error paths (real daemon)", .bootsGuests, .serialized, .timeLimit(.minutes(15)))
struct ErrorPathTests {
    @Test("invalid create requests are refused with a clear message and leave nothing behind")
    func badCreates() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            let base = ["--kernel", guest.kernel, "--initrd", guest.initrd]
            let cases: [([String], String)] = [
                (["create", "bad,name"] + base, "instance name 'bad,name' may only contain ASCII letters, digits and '-'"),
                (["create", "9lives"] + base, "must start with a letter"),
                (["create", "big", "--cpus", "4096"] + base, "exceeds the host's"),
                (["create", "fat", "--memory", "64TiB"] + base, "exceeds the host's"),
                (["create", "tiny", "--memory", "lots"] + base, "invalid size 'lots'"),
                (["create", "nokernel", "--kernel", "/nonexistent/vmlinuz"], "kernel file '/nonexistent/vmlinuz' does not exist"),
                (["create", "nodisk", "--disk", "/nonexistent.qcow2"] + base, "disk file '/nonexistent.qcow2' does not exist"),
                (["create", "badnic", "--nic", "user,hostfwd=tcp:1.2.3.4:22"] + base, "invalid hostfwd"),
            ]
            for (arguments, message) in cases {
                let result = try await joist.cli(arguments)
                #expect(!result.succeeded, "\(arguments) must fail")
                #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            }
            #expect(try await joist.cli(["list", "--format", "csv"]).stdout == "NAME,STATE,IPV4,CPUS,MEMORY,ACCEL,PID,UPTIME\n")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: joist.stateDirectory + "/instances")
            #expect(leftovers.isEmpty, "\(leftovers)")

            try await joist.createGuest("dup", guest: guest)
            let duplicate = try await joist.cli(["create", "dup"] + base)
            #expect(!duplicate.succeeded)
            #expect(duplicate.stderr.contains("instance dup already exists"))
        }
    }

    @Test("unknown instances and keys, and config changes on a running instance, are refused")
    func badRequests() async throws {
        let guest = try await TestGuest.locate()
        try await DaemonHarness.with { joist in
            for verb in ["start", "stop", "info", "delete", "pause"] {
                let result = try await joist.cli([verb, "ghost"])
                #expect(!result.succeeded)
                #expect(result.stderr.contains("instance ghost not found"), "\(verb): \(result.stderr)")
            }
            try await joist.createGuest("cfg", guest: guest)
            let unknown = try await joist.cli(["config", "set", "cfg", "colour=blue"])
            #expect(unknown.stderr.contains("unknown config key 'colour'"), "\(unknown)")
            let tooMany = try await joist.cli(["config", "set", "cfg", "cpus=9999"])
            #expect(tooMany.stderr.contains("exceeds the host's"), "\(tooMany)")

            #expect(try await joist.cli(["config", "set", "cfg", "cpus=2", "memory=300MiB"]).succeeded)
            let shown = try await joist.cli(["config", "show", "cfg"]).stdout
            #expect(shown.contains("cpus: 2"), "\(shown)")
            #expect(shown.contains("memory: 300MiB"), "\(shown)")
            #expect(try await joist.cli(["stop", "cfg"]).stderr.contains("instance cfg is not running"))

            #expect(try await joist.cli(["start", "cfg"]).succeeded)
            let running = try await joist.cli(["config", "set", "cfg", "cpus=1"])
            #expect(running.stderr.contains("instance cfg must be stopped to change its configuration"), "\(running)")
            let attach = try await joist.cli(["console", "ghost"])
            #expect(attach.stderr.contains("instance ghost not found"), "\(attach)")
            #expect(try await joist.cli(["delete", "--force", "cfg"]).succeeded)
        }
    }

    @Test("when QEMU refuses to start, the error carries QEMU's own message and the instance stays stopped")
    func qemuFailure() async throws {
        try await DaemonHarness.with { joist in
            let junk = joist.stateDirectory + "/junk-kernel"
            try Data("this is not a kernel".utf8).write(to: URL(fileURLWithPath: junk))
            #expect(try await joist.cli(["create", "junk", "--kernel", junk, "--accel", "tcg"]).succeeded)
            let start = try await joist.cli(["start", "junk"])
            #expect(!start.succeeded)
            #expect(start.stderr.contains("failed to start instance junk: QEMU failed to start"), "\(start)")
            #expect(start.stderr.contains("qemu: invalid kernel header"), "QEMU's stderr must be quoted: \(start)")
            let info = try await joist.info("junk")
            #expect(info["state"] as? String == "stopped")
            let reason = (info["lastExit"] as? [String: Any])?["reason"] as? String
            #expect(reason?.contains("QEMU failed to start") == true, "\(String(describing: reason))")
            #expect(joist.qemuPIDs().isEmpty)
        }
    }
}
