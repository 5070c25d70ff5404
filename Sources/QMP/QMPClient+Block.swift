import Foundation

/// Typed wrappers for block nodes: the images behind disks.
extension QMPClient {
    /// Opens a block node (a file, or a format on top of another node). Maps to QMP `blockdev-add`;
    /// `options` are `BlockdevOptions`, the same object as a `-blockdev` argument.
    public func blockdevAdd(_ options: [String: JSONValue]) async throws {
        _ = try await execute("blockdev-add", arguments: options)
    }

    /// Closes a block node that no device and no other node uses. Maps to QMP `blockdev-del`.
    public func blockdevDel(nodeName: String) async throws {
        _ = try await execute("blockdev-del", arguments: ["node-name": .string(nodeName)])
    }

    /// Grows (or shrinks) the image under a node to `size` bytes; a guest device on it sees the new
    /// size at once. Maps to QMP `block_resize`.
    public func blockResize(nodeName: String, size: Int64) async throws {
        _ = try await execute("block_resize", arguments: ["node-name": .string(nodeName), "size": .number(Double(size))])
    }

    /// Every named block node. Maps to QMP `query-named-block-nodes` (with `flat`: no backing chains
    /// inside each answer).
    public func queryNamedBlockNodes() async throws -> [QMPBlockNode] {
        let result = try await execute("query-named-block-nodes", arguments: ["flat": true])
        do {
            return try JSONDecoder().decode([QMPBlockNode].self, from: JSONEncoder().encode(result))
        } catch {
            throw QMPError.protocolViolation("query-named-block-nodes returned \(result)")
        }
    }
}
