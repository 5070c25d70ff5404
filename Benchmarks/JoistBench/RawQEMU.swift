import Foundation
import HostKit
import JoistCore
import JoistTesting
import Logging
import QEMUDriver
import QMP

/// The baseline: the exact argv joistd generates, launched by hand, continued over QMP, and read
/// from the serial socket until the marker.
struct RawQEMU {
    let directory: String
    let guest: TestGuest
    let binary: String

    /// Seconds from spawning QEMU to the marker on its serial console.
    func bootToMarker(run: Int) async throws -> Double {
        let paths = RuntimePaths(stateDirectory: directory, instance: "raw\(run)")
        try FileManager.default.createDirectory(atPath: paths.directory, withIntermediateDirectories: true)
        let spec = InstanceSpec(
            name: "raw\(run)", kernel: guest.kernel, initrd: guest.initrd, cmdline: TestGuest.cmdline, memory: .mebibytes(256))
        let argv = QEMUArgvBuilder(binary: binary).argv(for: spec, disks: [], paths: paths, accelerator: .tcg)

        let start = ContinuousClock.now
        guard try await ProcessSpawner.run(argv, outputPath: paths.qemuLog) == 0 else {
            throw TestSetupError("raw QEMU failed: \(QEMULauncher.tail(of: paths.qemuLog))")
        }
        let qmp = try await QMPClient.connect(path: paths.qmpSocket, logger: Logger(label: "bench"))
        let serial = try SerialReader(path: paths.serialSocket)
        try await qmp.cont()
        try await serial.waitFor(TestGuest.readyMarker, timeout: .seconds(60))
        let elapsed = ContinuousClock.now - start
        try? await qmp.quit()
        await qmp.close()
        serial.close()
        try? FileManager.default.removeItem(atPath: paths.directory)
        return elapsed.seconds
    }
}

/// Reads a serial console socket on a thread of its own until a marker shows up.
final class SerialReader: @unchecked Sendable {
    // @unchecked: `fd` is immutable after init; `buffer` is only touched by the reading thread
    // and read after it signalled, under `lock`.
    private let fd: Int32
    private let lock = NSCondition()
    private var buffer = ""
    private var ended = false

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            path.utf8CString.withUnsafeBytes { raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0.prefix(raw.count - 1))) }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw TestSetupError("cannot connect to \(path)") }
        Thread.detachNewThread { [self] in readLoop() }
    }

    private func readLoop() {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &chunk, chunk.count)
            lock.lock()
            if n <= 0 { ended = true } else { buffer += String(decoding: chunk[0..<n], as: UTF8.self) }
            lock.broadcast()
            lock.unlock()
            if n <= 0 { return }
        }
    }

    func waitFor(_ marker: String, timeout: Duration) async throws {
        let deadline = Date().addingTimeInterval(timeout.seconds)
        let found: Bool = await withCheckedContinuation { continuation in
            Thread.detachNewThread { [self] in
                lock.lock()
                while !buffer.contains(marker) && !ended && lock.wait(until: deadline) {}
                let found = buffer.contains(marker)
                lock.unlock()
                continuation.resume(returning: found)
            }
        }
        guard found else { throw TestSetupError("no \(marker) on the raw serial console") }
    }

    func close() { shutdown(fd, Int32(SHUT_RDWR)); Glibc.close(fd) }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
