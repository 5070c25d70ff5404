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
        let argv = QEMUArgvBuilder(binary: binary).argv(for: spec, disks: [], nics: [], paths: paths, accelerator: .tcg)

        let start = ContinuousClock.now
        guard try await ProcessSpawner.run(argv, outputPath: paths.qemuLog) == 0 else {
            throw TestSetupError("raw QEMU failed: \(QEMULauncher.tail(of: paths.qemuLog))")
        }
        let qmp = try await QMPClient.connect(path: paths.qmpSocket, logger: Logger(label: "bench"))
        let serial = try SerialConsole(path: paths.serialSocket)
        try await qmp.cont()
        _ = try await serial.take(until: TestGuest.readyMarker, timeout: .seconds(60))
        let elapsed = ContinuousClock.now - start
        try? await qmp.quit()
        await qmp.close()
        serial.close()
        try? FileManager.default.removeItem(atPath: paths.directory)
        return elapsed.seconds
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
