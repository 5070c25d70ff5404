import Foundation
import HostKit
import Logging

/// Finds out whether KVM really runs guests here, by running one, briefly.
///
/// `/dev/kvm` opening is not enough: under nested virtualization VMs are created, yet guests hang
/// (here SeaBIOS itself spins in a loop under KVM). So the probe boots QEMU's own SeaBIOS under KVM
/// with no boot device, `-no-reboot` and a zero reboot timeout: working firmware prints "No bootable
/// device" on its debug console (port 0x402) and QEMU exits by itself, within a fraction of a second.
/// Only that outcome counts; a timeout, an error or a missing line means TCG. It needs nothing but
/// QEMU and the firmware Debian ships with it.
public struct QEMUKVMProbe: KVMProbe {
    /// How long working KVM may take; TCG gets through the same firmware in under 0.4 s here.
    public static let timeLimit = Duration.seconds(2)
    /// What SeaBIOS prints once POST is done and no device could be booted.
    static let marker = "No bootable device"

    let binary: String
    let logger: Logger

    public init(binary: String, logger: Logger) {
        self.binary = binary
        self.logger = logger
    }

    public func kvmRunsGuests() async -> Bool {
        let fd = open("/dev/kvm", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            logger.info("KVM unavailable (/dev/kvm: \(String(cString: strerror(errno)))); accel auto uses TCG")
            return false
        }
        close(fd)
        let works = await runsFirmware(accel: "kvm")
        if works {
            logger.info("KVM probe: firmware ran under KVM; accel auto uses KVM")
        } else {
            logger.warning("KVM probe: /dev/kvm opens but firmware did not run under KVM (nested virtualization?); accel auto uses TCG")
        }
        return works
    }

    /// Boots SeaBIOS with nothing to boot under `accel`; true if it finished and QEMU exited cleanly in time.
    func runsFirmware(accel: String) async -> Bool {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("joist-kvm-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        guard (try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)) != nil else { return false }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let debugLog = dir + "/bios.log"
        guard let binary = try? QEMULauncher.resolve(binary) else { return false }
        let argv = [
            binary, "-accel", accel, "-machine", "q35", "-nodefaults", "-no-user-config", "-display", "none",
            "-m", "32", "-boot", "strict=on,reboot-timeout=0", "-no-reboot",
            "-debugcon", "file:\(debugLog)", "-global", "isa-debugcon.iobase=0x402",
        ]
        let status = try? await ProcessSpawner.run(argv, outputPath: dir + "/qemu.log", timeout: Self.timeLimit)
        let log = FileManager.default.contents(atPath: debugLog).map { String(decoding: $0, as: UTF8.self) } ?? ""
        guard status == 0, log.contains(Self.marker) else {
            let lastLine = log.split(separator: "\n").last.map(String.init) ?? "(no firmware output)"
            logger.debug("KVM probe (\(accel)): status \(status.map(String.init) ?? "timeout"), last firmware line: \(lastLine)")
            return false
        }
        return true
    }
}
