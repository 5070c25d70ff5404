import Foundation
import HostKit

/// Remembers another probe's answer in a file, valid for this boot of the host and this QEMU binary.
///
/// KVM's usability does not change while the host runs, so a restarted daemon reuses the answer
/// instead of probing again; a reboot or a QEMU upgrade invalidates it.
public struct CachedKVMProbe: KVMProbe {
    private struct Entry: Codable, Equatable {
        var key: String
        var kvmRunsGuests: Bool
    }

    let probe: any KVMProbe
    let cachePath: String
    let binary: String

    public init(probe: any KVMProbe, cachePath: String, binary: String) {
        self.probe = probe
        self.cachePath = cachePath
        self.binary = binary
    }

    public func kvmRunsGuests() async -> Bool {
        let key = Self.key(binary: binary)
        if let data = FileManager.default.contents(atPath: cachePath),
            let entry = try? JSONDecoder().decode(Entry.self, from: data), entry.key == key
        {
            return entry.kvmRunsGuests
        }
        let answer = await probe.kvmRunsGuests()
        if let data = try? JSONEncoder().encode(Entry(key: key, kvmRunsGuests: answer)) {
            try? data.write(to: URL(fileURLWithPath: cachePath), options: .atomic)
        }
        return answer
    }

    /// This boot's id plus the QEMU binary's identity (path, size, modification time).
    static func key(binary: String) -> String {
        let boot = KernelFile.text("/proc/sys/kernel/random/boot_id")?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown-boot"
        let attributes = try? FileManager.default.attributesOfItem(atPath: binary)
        let size = (attributes?[.size] as? Int).map(String.init) ?? "?"
        let modified = (attributes?[.modificationDate] as? Date).map { String($0.timeIntervalSince1970) } ?? "?"
        return [boot, binary, size, modified].joined(separator: "|")
    }
}
