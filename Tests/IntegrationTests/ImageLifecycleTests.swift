import Foundation
import JoistTesting
import Testing

/// The image store end to end: a real joistd driven through the real CLI, importing files made with
/// qemu-img and genisoimage, and URLs served by a Python HTTP server on 127.0.0.1.
@Suite("Images (real daemon)", .serialized, .timeLimit(.minutes(5)))
struct ImageLifecycleTests {
    @Test("import a qcow2 file and an ISO, list, info, alias, import the same bytes again, import a URL, delete")
    func lifecycle() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let disk = folder + "/debian.qcow2"
        try await HostTool.run("/usr/bin/qemu-img", ["create", "-q", "-f", "qcow2", disk, "1G"])
        // Data, so the upload of these bytes below is larger than the API's 1MiB limit of JSON bodies.
        try await HostTool.run("/usr/bin/qemu-io", ["-f", "qcow2", "-c", "write -P 7 0 4M", disk])
        let diskBytes = try #require(try FileManager.default.attributesOfItem(atPath: disk)[.size] as? NSNumber).intValue
        #expect(diskBytes > 4 << 20)
        let iso = folder + "/seed.iso"
        try FileManager.default.createDirectory(atPath: folder + "/seed", withIntermediateDirectories: true)
        try Data("instance-id: web-1\n".utf8).write(to: URL(fileURLWithPath: folder + "/seed/meta-data"))
        try await HostTool.run("/usr/bin/genisoimage", ["-quiet", "-output", iso, "-volid", "cidata", "-joliet", "-rock", folder + "/seed"])
        let diskPrint = try await Self.sha256(disk), isoPrint = try await Self.sha256(iso)
        try await DaemonHarness.with { joist in
            // A file over the Unix socket is read in place; --upload sends its bytes.
            #expect(try await joist.succeed(["image", "import", disk, "--alias", "debian-12"]) == "Imported image \(diskPrint.prefix(12)) (debian-12)\n")
            #expect(try await joist.succeed(["image", "import", iso, "--alias", "seed", "--upload"]) == "Imported image \(isoPrint.prefix(12)) (seed)\n")
            let list = try await joist.succeed(["image", "list", "--format", "csv"])
            #expect(list.hasPrefix("ALIASES,FINGERPRINT,TYPE,FORMAT,SIZE,FILE-SIZE,USED-BY,CREATED\n"), "\(list)")
            #expect(list.contains("debian-12,\(diskPrint),disk,qcow2,1GiB,"), "\(list)")
            #expect(list.contains("seed,\(isoPrint),iso,raw,"), "\(list)")
            let info = try await joist.succeed(["image", "info", "seed"])
            #expect(info.contains("Fingerprint: \(isoPrint)\n") && info.contains("Type: iso\n") && info.contains("Format: raw (imported as iso)\n"), "\(info)")
            #expect(info.contains("Used by: -\n"), "\(info)")
            let stored = try FileManager.default.contentsOfDirectory(atPath: joist.stateDirectory + "/images").sorted()
            #expect(stored == ["\(diskPrint).qcow2", "\(isoPrint).iso"].sorted())

            // Aliases: unique, several per image.
            #expect(try await joist.succeed(["image", "alias", "add", String(diskPrint.prefix(12)), "stable"]) == "Image \(diskPrint.prefix(12)) is also called stable\n")
            let taken = try await joist.cli(["image", "alias", "add", "seed", "stable"])
            #expect(!taken.succeeded && taken.stderr.contains("image alias stable already names image \(diskPrint.prefix(12))"), "\(taken)")
            try await joist.succeed(["image", "alias", "remove", "stable"])
            #expect(try await joist.json(["image", "info", "debian-12", "--format", "json"])["aliases"] as? [String] == ["debian-12"])

            // The same bytes again, under another name and by upload: nothing is stored.
            let copy = folder + "/copy.img"
            try FileManager.default.copyItem(atPath: disk, toPath: copy)
            let again = try await joist.succeed(["image", "import", copy, "--alias", "bookworm", "--upload"])
            #expect(again == "Image \(diskPrint.prefix(12)) (bookworm, debian-12) holds these bytes already: nothing stored; alias bookworm added\n", "\(again)")

            // A URL, downloaded by joistd from a loopback server.
            let served = folder + "/served"
            try FileManager.default.createDirectory(atPath: served, withIntermediateDirectories: true)
            try await HostTool.run("/usr/bin/qemu-img", ["convert", "-O", "vmdk", disk, served + "/disk.vmdk"])
            let vmdkPrint = try await Self.sha256(served + "/disk.vmdk")
            try await LoopbackFileServer.with(folder: served, for: joist) { server in
                let imported = try await joist.succeed(["image", "import", server.url("disk.vmdk"), "--alias", "from-vmware"])
                #expect(imported == "Imported image \(vmdkPrint.prefix(12)) (from-vmware)\n")
                let vmdk = try await joist.json(["image", "info", "from-vmware", "--format", "json"])
                #expect(vmdk["format"] as? String == "qcow2" && vmdk["sourceFormat"] as? String == "vmdk", "\(vmdk)")
                let missing = try await joist.cli(["image", "import", server.url("nothing.qcow2")])
                #expect(missing.stderr.contains("the server answered 404"), "\(missing)")
            }

            for image in ["seed", "debian-12", "from-vmware"] { try await joist.succeed(["image", "delete", image]) }
            #expect(try await joist.succeed(["image", "list", "--format", "csv"]) == "ALIASES,FINGERPRINT,TYPE,FORMAT,SIZE,FILE-SIZE,USED-BY,CREATED\n")
            #expect(try FileManager.default.contentsOfDirectory(atPath: joist.stateDirectory + "/images") == [])
            #expect(try FileManager.default.contentsOfDirectory(atPath: joist.stateDirectory + "/staging") == [])
        }
    }

    @Test("a cancelled import leaves nothing: joist operation cancel, and Ctrl-C in joist image import")
    func cancel() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await DaemonHarness.with { joist in
            try await LoopbackFileServer.with(folder: folder, for: joist) { server in
                try await Self.cancelByCommand(joist, server)
                try await Self.cancelByInterrupt(joist, server)
                #expect(try FileManager.default.contentsOfDirectory(atPath: joist.stateDirectory + "/images") == [])
                #expect(try await joist.succeed(["image", "list", "--format", "csv"]).split(separator: "\n").count == 1)
            }
        }
    }

    /// `joist operation cancel` of an import that is downloading.
    private static func cancelByCommand(_ joist: DaemonHarness, _ server: LoopbackFileServer) async throws {
        let id = try await joist.succeed(["image", "import", server.url("stall"), "--async"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try await waitForDownload(joist, operation: id)
        #expect(try FileManager.default.contentsOfDirectory(atPath: joist.stateDirectory + "/staging").count == 1)
        try await joist.succeed(["operation", "cancel", id])
        let waited = try await joist.cli(["operation", "wait", id])
        #expect(!waited.succeeded, "\(waited)")
        #expect(try await joist.json(["operation", "show", id, "--format", "json"])["status"] as? String == "cancelled")
        #expect(try FileManager.default.contentsOfDirectory(atPath: joist.stateDirectory + "/staging") == [])
    }

    /// Ctrl-C while `joist image import` follows its operation: the operation is cancelled before the
    /// command ends.
    private static func cancelByInterrupt(_ joist: DaemonHarness, _ server: LoopbackFileServer) async throws {
        let output = joist.stateDirectory + "/import.out"
        let cli = try SpawnedProcess([joist.joist, "--socket", joist.socketPath, "image", "import", server.url("stall")], output: output)
        do {
            let id = try await waitForRunningImport(joist)
            try await waitForDownload(joist, operation: id)
            kill(cli.pid, SIGINT)
            let status = await cli.waitForExit()
            let printed = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            #expect(status != nil && status != 0, "\(printed)")
            #expect(printed.contains("Cancelling: Importing an image from \(server.url("stall"))"), "\(printed)")
            #expect(try await joist.json(["operation", "show", id, "--format", "json"])["status"] as? String == "cancelled")
            #expect(try FileManager.default.contentsOfDirectory(atPath: joist.stateDirectory + "/staging") == [])
        } catch {
            await cli.kill()
            throw error
        }
        await cli.kill()
    }

    /// Waits until the import's operation reports downloaded bytes.
    private static func waitForDownload(_ joist: DaemonHarness, operation id: String) async throws {
        for _ in 0..<600 {
            let operation = try await joist.json(["operation", "show", id, "--format", "json"])
            if let progress = operation["progress"] as? [String: Any], (progress["done"] as? Int ?? 0) > 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSetupError("operation \(id) reported no download progress")
    }

    /// The id of the running image import, once there is one.
    private static func waitForRunningImport(_ joist: DaemonHarness) async throws -> String {
        for _ in 0..<600 {
            let output = try await joist.succeed(["operation", "list", "--format", "json"])
            let operations = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]] ?? []
            let importing = operations.first {
                $0["action"] as? String == "image.import" && $0["status"] as? String == "running"
            }
            if let id = importing?["id"] as? String {
                return id
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSetupError("no image import started")
    }

    private static func sha256(_ path: String) async throws -> String {
        String(try await CommandRunner.run("/usr/bin/sha256sum", [path]).stdout.prefix(64))
    }

    private static func temporaryFolder() throws -> String {
        var template = Array("/tmp/jimg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        return String(cString: made)
    }
}
