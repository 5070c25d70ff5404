import Foundation

/// Whether the host kernel offers vhost-net, which moves a tap NIC's frames in the kernel instead of
/// QEMU's threads. Asked once per daemon: the device node does not come and go.
public enum VhostNet {
    /// The device QEMU opens for `vhost=on`.
    public static let devicePath = "/dev/vhost-net"

    /// Whether `path` opens for reading and writing, as QEMU will open it.
    public static func isAvailable(at path: String = devicePath) -> Bool {
        let descriptor = open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        close(descriptor)
        return true
    }
}
