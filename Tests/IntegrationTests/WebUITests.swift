import Foundation
import JoistTestTraits
import JoistTesting
import Testing

/// The web UI in real headless browsers, Chromium and Firefox, driven by Selenium (`scripts/ui-test`):
/// an administrator uploads the test guest's ISO, creates a VM from it, uses its serial and graphical
/// consoles, snapshots and backs it up, stops and deletes it, and visits every page, while a viewer
/// in the other browser watches the same console and is refused every action. Screenshots of every
/// step go to `.build/test-artifacts/webui/<the admin's browser>`.
@Suite("Web UI in real browsers (Chromium and Firefox, Selenium, real QEMU)", .bootsGuests, .serialized, .timeLimit(.minutes(15)))
struct WebUITests {
    static let artifacts = RepositoryPaths.root + "/.build/test-artifacts/webui"

    @Test("sign in, upload an ISO, create and start a VM, type in its serial console, see its screen, snapshot, back up, stop, delete, every page; a viewer in the other browser only watches")
    func journey() async throws {
        let guest = try await TestGuest.locate()
        // The third-party browser code joistd serves, from Debian packages (make test builds it too).
        let vendor = try await CommandRunner.run("/bin/bash", [RepositoryPaths.root + "/scripts/ui-vendor", RepositoryPaths.binaries + "/ui-vendor"])
        try #require(vendor.succeeded, "\(vendor)")
        let script = RepositoryPaths.root + "/scripts/ui-test"
        let install = try await CommandRunner.run("/bin/bash", [script, "--install"])
        try #require(install.succeeded, "\(install)")
        try? FileManager.default.removeItem(atPath: Self.artifacts)

        try await withTemporaryDirectory(prefix: "jwebui") { folder in
            let iso = try await BootableISO.make(in: folder, kernel: guest.kernel, initrd: guest.initrd)
            try await DaemonHarness.with(listen: true) { joist in
                let address = try #require(joist.httpsAddress)
                let adminToken = try await joist.succeed(["token", "create", "browser-admin", "--role", "admin"])
                let viewerToken = try await joist.succeed(["token", "create", "browser-viewer", "--role", "viewer"])
                // Both browsers, each in both roles: the admin's journey in one while the viewer watches in the other.
                for (admin, viewer) in [("chromium", "firefox"), ("firefox", "chromium")] {
                    let run = try await joist.run(
                        "/bin/bash",
                        [script, "https://\(address)", Self.secret(adminToken), Self.secret(viewerToken), iso, Self.artifacts + "/" + admin, admin, viewer])
                    #expect(run.succeeded, "\(admin) admin, \(viewer) viewer:\n\(run.stdout.suffix(4000))\n\(run.stderr.suffix(4000))")

                    // What the browser did, as the daemon recorded it.
                    let name = "web-\(admin)"
                    let audit = try await joist.succeed(["audit", "--format", "csv"])
                    #expect(audit.contains(",browser-admin,instance.create,\(name),default,succeeded,201"), "\(audit)")
                    #expect(audit.contains(",browser-admin,instance.snapshot-create,\(name)/from-the-ui,default,succeeded"), "\(audit)")
                    #expect(audit.contains(",browser-viewer,instance.state,\(name),default,denied,403"), "\(audit)")
                    #expect(audit.contains(",browser-viewer,instance.delete,\(name),default,denied,403"), "\(audit)")
                    #expect(audit.contains(",browser-admin,instance.delete,\(name),default,succeeded"), "\(audit)")
                    #expect(try await joist.cli(["info", name]).succeeded == false)
                    // Consoles watched and typed in, and refused without a token, are audited.
                    #expect(audit.contains(",browser-admin,instance.console,\(name),default,succeeded,101"), "\(audit)")
                    #expect(audit.contains(",browser-viewer,instance.console,\(name),default,succeeded,101"), "\(audit)")
                    #expect(audit.contains(",anonymous,instance.console,\(name),default,denied,401"), "\(audit)")
                    // The network made with the mouse and deleted with the keyboard.
                    #expect(audit.contains(",browser-admin,network.create,net-\(admin),"), "\(audit)")
                    #expect(audit.contains(",browser-admin,network.delete,net-\(admin),"), "\(audit)")
                    #expect(try await joist.cli(["network", "info", "net-\(admin)"]).succeeded == false)
                    let screenshots = (try? FileManager.default.contentsOfDirectory(atPath: Self.artifacts + "/" + admin))?
                        .filter { $0.hasSuffix(".png") && !$0.hasPrefix("failed") } ?? []
                    #expect(screenshots.count >= 30, "\(admin): \(screenshots)")
                }
            }
        }
    }

    /// The secret line `joist token create` prints last.
    static func secret(_ output: String) -> String {
        output.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    }
}
