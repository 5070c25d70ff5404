/// Where an NBD server listens.
public enum NBDAddress: Sendable, Hashable, CustomStringConvertible {
    /// A Unix socket (QEMU's `nbd-server-start` with a `unix` address, `qemu-nbd --socket`).
    case unix(path: String)
    /// A TCP port, e.g. on loopback.
    case tcp(host: String, port: Int)

    public var description: String {
        switch self {
        case .unix(let path): path
        case .tcp(let host, let port): "\(host):\(port)"
        }
    }
}
