/// Follows what a VNC client sends to QEMU's VNC server (RFB, RFC 6143, plus QEMU's own messages)
/// and decides, message by message, what reaches the server: viewers watch, operators also type.
///
/// Pure: bytes in, bytes out, across arbitrary chunk boundaries. Every client gets ClientInit's
/// shared flag forced to 1, so no client can ask for exclusive access and drop the others. A viewer's
/// input (keys, pointer, clipboard, QEMU's extended keys, XVP power actions, desktop resizes) is
/// dropped; everything else passes. A message type whose length cannot be known ends the session,
/// since the stream could no longer be followed.
public struct RFBClientFilter: Sendable {
    /// Why the client's stream cannot be followed.
    public enum Failure: Error, Equatable, Sendable {
        /// The ProtocolVersion message is not an RFB 3.x version QEMU speaks.
        case unsupportedVersion(String)
        /// A security type other than None (QEMU offers only None: the socket has no password).
        case unsupportedSecurityType(UInt8)
        /// A client message type (or QEMU subtype) whose length is unknown.
        case unknownMessage(type: UInt8, subtype: UInt16?)
    }

    private enum Phase: Sendable {
        case version
        case securityType
        case clientInit
        /// Collecting the first bytes of a message, until its length is known.
        case header
        /// Streaming the rest of a message (`remaining` bytes), forwarded or dropped.
        case body(remaining: Int, forward: Bool)
    }

    private enum Length {
        /// The message's first `count` bytes are needed to tell its length.
        case needs(Int)
        case total(Int)
    }

    /// Whether the client's input reaches the guest (role operator and above).
    public let mayType: Bool
    private var phase = Phase.version
    private var pending: [UInt8] = []

    public init(mayType: Bool) {
        self.mayType = mayType
    }

    /// The bytes of `chunk` to send on to the server, in order. Throws `Failure` when the stream
    /// can no longer be followed; the session must end then.
    public mutating func filter(_ chunk: some Collection<UInt8>) throws(Failure) -> [UInt8] {
        var output: [UInt8] = []
        var input = ArraySlice(chunk)
        while !input.isEmpty {
            switch phase {
            case .version:
                guard take(12, from: &input) else { break }
                let version = String(decoding: pending, as: UTF8.self)
                phase = try Self.choosesSecurity(version) ? .securityType : .clientInit
                output += pending
                pending = []
            case .securityType:
                let type = input.removeFirst()
                guard type == Self.securityNone else { throw .unsupportedSecurityType(type) }
                output.append(type)
                phase = .clientInit
            case .clientInit:
                input.removeFirst()
                output.append(1)
                phase = .header
            case .header:
                if pending.isEmpty { pending.append(input.removeFirst()) }
                var length = try Self.length(of: pending)
                while case .needs(let count) = length, take(count, from: &input) {
                    length = try Self.length(of: pending)
                }
                guard case .total(let total) = length else { break }  // the chunk ended inside the header
                let forward = mayType || !Self.isInput(pending)
                if forward { output += pending }
                let remaining = total - pending.count
                phase = remaining == 0 ? .header : .body(remaining: remaining, forward: forward)
                pending = []
            case .body(let remaining, let forward):
                let count = min(remaining, input.count)
                if forward { output += input.prefix(count) }
                input = input.dropFirst(count)
                phase = count == remaining ? .header : .body(remaining: remaining - count, forward: forward)
            }
        }
        return output
    }

    /// Moves bytes from `input` into `pending` until it holds `count`; whether it does.
    private mutating func take(_ count: Int, from input: inout ArraySlice<UInt8>) -> Bool {
        let needed = count - pending.count
        pending += input.prefix(needed)
        input = input.dropFirst(needed)
        return pending.count == count
    }

    static let securityNone: UInt8 = 1

    /// Whether the client picks a security type (RFB 3.7 and 3.8) rather than the server deciding
    /// (3.3; QEMU reads 3.4 and 3.5 as 3.3).
    static func choosesSecurity(_ version: String) throws(Failure) -> Bool {
        switch version {
        case "RFB 003.007\n", "RFB 003.008\n": return true
        case "RFB 003.003\n", "RFB 003.004\n", "RFB 003.005\n": return false
        default: throw .unsupportedVersion(String(version.prefix(11)))
        }
    }

    /// The length of the message that starts with `header`, or how many of its bytes tell it.
    /// Lengths are QEMU's (`protocol_client_msg` in `ui/vnc.c`).
    private static func length(of header: [UInt8]) throws(Failure) -> Length {
        switch header[0] {
        case 0: return .total(20)  // SetPixelFormat
        case 2:  // SetEncodings: u16 count of s32 encodings
            guard header.count >= 4 else { return .needs(4) }
            return .total(4 + 4 * Int(u16(header, 2)))
        case 3: return .total(10)  // FramebufferUpdateRequest
        case 4: return .total(8)  // KeyEvent
        case 5: return .total(6)  // PointerEvent
        case 6:  // ClientCutText: s32 length, negative for the extended clipboard
            guard header.count >= 8 else { return .needs(8) }
            let length = Int32(bitPattern: UInt32(u16(header, 4)) << 16 | UInt32(u16(header, 6)))
            return .total(8 + Int(length.magnitude))
        case 250: return .total(4)  // XVP
        case 251:  // SetDesktopSize: u8 screen count at 6, 16 bytes per screen
            guard header.count >= 8 else { return .needs(8) }
            return .total(8 + 16 * Int(header[6]))
        case 255: return try qemuLength(of: header)
        default: throw .unknownMessage(type: header[0], subtype: nil)
        }
    }

    /// QEMU's client message (type 255): subtype 0 is an extended key event, 1 audio control.
    private static func qemuLength(of header: [UInt8]) throws(Failure) -> Length {
        guard header.count >= 2 else { return .needs(2) }
        switch header[1] {
        case 0: return .total(12)
        case 1:
            guard header.count >= 4 else { return .needs(4) }
            switch u16(header, 2) {
            case 0, 1: return .total(4)  // enable, disable
            case 2: return .total(10)  // set format
            case let operation: throw .unknownMessage(type: 255, subtype: 0x100 | operation)
            }
        case let subtype: throw .unknownMessage(type: 255, subtype: UInt16(subtype))
        }
    }

    /// Whether the message acts on the guest rather than on what the client is shown.
    private static func isInput(_ header: [UInt8]) -> Bool {
        switch header[0] {
        case 4, 5, 6, 250, 251: true
        case 255: header[1] == 0
        default: false
        }
    }

    private static func u16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
        UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }
}
