import Foundation
import HostKit
import JoistTesting
import Logging
import NBD
import Testing

/// The client against `qemu-nbd` serving a qcow2 image with data, holes, zeroes and a persistent dirty
/// bitmap; every byte is checked against the image converted to raw by `qemu-img`.
@Suite("NBD client against qemu-nbd", .enabled(if: QEMUNBD.available), .timeLimit(.minutes(2)))
struct QEMUNBDTests {
    @Test("reads equal qemu-img's raw conversion; allocation and a dirty bitmap's extents are exact")
    func readsAndExtents() async throws {
        try await withTemporaryDirectory(prefix: "jnbd") { directory in
            let image = directory + "/disk.qcow2"
            try await QEMUNBD.tool("qemu-img", ["create", "-q", "-f", "qcow2", image, "40M"])
            try await QEMUNBD.tool("qemu-io", ["-f", "qcow2", "-c", "write -P 0xaa 0 1M", "-c", "write -P 0xbb 36M 64k", "-c", "write -z 8M 1M", image])
            try await QEMUNBD.tool("qemu-img", ["bitmap", "--add", "-g", "64K", image, "since-full"])
            // After the bitmap: one 64 KiB block at 2 MiB, and one byte in the block at 6 MiB.
            try await QEMUNBD.tool("qemu-io", ["-f", "qcow2", "-c", "write -P 0xcc 2M 64k", "-c", "write -P 0xdd 6291556 1", image])
            let raw = directory + "/disk.raw"
            try await QEMUNBD.tool("qemu-img", ["convert", "-f", "qcow2", "-O", "raw", image, raw])
            let expected = try [UInt8](Data(contentsOf: URL(fileURLWithPath: raw)))

            let server = try await QEMUNBD.serve(image, in: directory, bitmap: "since-full")
            defer { server.stop() }
            let client = try await NBDClient.connect(
                to: .unix(path: server.socket), export: "disk",
                metaContexts: [NBDMetaContext.allocation, NBDMetaContext.dirtyBitmap("since-full")], logger: Logger(label: "test"))
            #expect(client.export.size == 40 << 20)
            #expect(client.export.flags.contains(.readOnly))

            // 40 MiB crosses the 32 MiB request limit, so the read is split and pipelined.
            let whole = try await client.read(offset: 0, length: Int(client.export.size))
            #expect(whole == expected)
            #expect(try await client.read(offset: 6_291_555, length: 3) == [0, 0xdd, 0])

            let dirty = try await client.dirtyExtents(bitmap: "since-full")
            #expect(dirty == [
                NBDExtent(offset: 2 << 20, length: 65536, flags: 1), NBDExtent(offset: 6 << 20, length: 65536, flags: 1),
            ])
            let allocation = try await client.blockStatus(context: NBDMetaContext.allocation)
            #expect(allocation.first == NBDExtent(offset: 0, length: 1 << 20, flags: 0))
            let data = allocation.filter { $0.flags & NBDMetaContext.stateHole == 0 }.map(\.length).reduce(0, +)
            #expect(data <= 3 << 20, "only what was written is data: \(allocation)")
            #expect(allocation.last?.end == 40 << 20)

            await #expect(throws: NBDError.self) { try await client.read(offset: 40 << 20, length: 1) }
            await #expect(throws: NBDError.self) { try await client.blockStatus(context: "qemu:dirty-bitmap:other") }
            await client.close()
            #expect(!client.isConnected)
            await #expect(throws: NBDError.disconnected) { try await client.read(offset: 0, length: 1) }
        }
    }

    @Test("an unknown export and a bitmap the export lacks are refused by name")
    func refusals() async throws {
        try await withTemporaryDirectory(prefix: "jnbd") { directory in
            let image = directory + "/disk.qcow2"
            try await QEMUNBD.tool("qemu-img", ["create", "-q", "-f", "qcow2", image, "1M"])
            let server = try await QEMUNBD.serve(image, in: directory, bitmap: nil)
            defer { server.stop() }
            await #expect {
                _ = try await NBDClient.connect(to: .unix(path: server.socket), export: "nope", logger: Logger(label: "test"))
            } throws: { error in
                "\(error)".contains("export nope") && "\(error)".contains("NBD_REP_ERR_UNKNOWN")
            }
            await #expect {
                _ = try await NBDClient.connect(
                    to: .unix(path: server.socket), export: "disk", metaContexts: [NBDMetaContext.dirtyBitmap("b0")],
                    logger: Logger(label: "test"))
            } throws: { error in
                "\(error)".contains("qemu:dirty-bitmap:b0")
            }
            await #expect {
                _ = try await NBDClient.connect(to: .unix(path: directory + "/missing.sock"), export: "disk", logger: Logger(label: "test"))
            } throws: { error in
                guard case NBDError.connectFailed = error else { return false }
                return true
            }
        }
    }
}

/// `qemu-nbd` and the image tools, for tests.
enum QEMUNBD {
    static var available: Bool {
        ["qemu-nbd", "qemu-img", "qemu-io"].allSatisfy { (try? path(of: $0)) != nil }
    }

    static func path(of tool: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(tool)") {
            return "\(directory)/\(tool)"
        }
        throw TestSetupError("\(tool) is not on PATH")
    }

    /// Runs `tool` and fails the test setup when it fails.
    static func tool(_ tool: String, _ arguments: [String]) async throws {
        let result = try await CommandRunner.run(try path(of: tool), arguments)
        guard result.succeeded else { throw TestSetupError("\(tool) \(arguments) failed: \(result)") }
    }

    /// A `qemu-nbd` serving `image` read-only as export `disk` on a socket in `directory`; it forks once listening.
    struct Server {
        let socket: String
        let pid: Int32
        /// Stops the server and waits (up to 5 s) until it removed its socket, so the test's directory
        /// is not removed under it.
        func stop() {
            kill(pid, SIGTERM)
            for _ in 0..<500 where FileManager.default.fileExists(atPath: socket) { usleep(10_000) }
        }
    }

    static func serve(_ image: String, in directory: String, bitmap: String?) async throws -> Server {
        let socket = directory + "/nbd.sock"
        let pidFile = directory + "/nbd.pid"
        var arguments = ["--fork", "--pid-file=\(pidFile)", "--socket=\(socket)", "--persistent", "--read-only", "-f", "qcow2", "-x", "disk"]
        if let bitmap { arguments.append("--bitmap=\(bitmap)") }
        // ProcessSpawner, not Foundation's Process: Process waits for a descriptor the forked server
        // keeps, and passes on the test runner's ignored signals (the server would ignore SIGTERM).
        let status = try await ProcessSpawner.run([try path(of: "qemu-nbd")] + arguments + [image], outputPath: directory + "/nbd.log")
        guard status == 0 else { throw TestSetupError("qemu-nbd failed: \((try? String(contentsOfFile: directory + "/nbd.log", encoding: .utf8)) ?? "")") }
        let text = try String(contentsOfFile: pidFile, encoding: .utf8)
        guard let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw TestSetupError("qemu-nbd wrote no pid") }
        return Server(socket: socket, pid: pid)
    }
}
