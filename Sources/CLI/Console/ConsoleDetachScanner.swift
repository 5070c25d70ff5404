/// Splits keyboard input at the detach key: bytes before it go to the guest, the key itself never does.
///
/// Pure and stateless so the rule is testable without a terminal or a socket.
struct ConsoleDetachScanner: Sendable, Equatable {
    /// What to do with one chunk of input.
    struct Scan: Sendable, Equatable {
        /// Bytes to forward to the guest.
        let forward: [UInt8]
        /// Whether the chunk held the detach key; input after it is dropped.
        let detach: Bool
    }

    /// Ctrl-], the detach key telnet, virsh and docker attach made familiar.
    static let controlRightBracket: UInt8 = 0x1d

    /// The byte that detaches.
    let detachByte: UInt8

    /// A scanner detaching on `detachByte`, Ctrl-] by default.
    init(detachByte: UInt8 = Self.controlRightBracket) {
        self.detachByte = detachByte
    }

    /// Scans one chunk of input.
    func scan(_ chunk: [UInt8]) -> Scan {
        guard let index = chunk.firstIndex(of: self.detachByte) else {
            return Scan(forward: chunk, detach: false)
        }
        return Scan(forward: Array(chunk[..<index]), detach: true)
    }
}
