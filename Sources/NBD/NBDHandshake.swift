import NIOCore

/// The negotiation phase, run once per connection: the greeting, structured replies, meta contexts,
/// then `NBD_OPT_GO`, after which the decoder has moved on to transmission replies.
struct NBDHandshake {
    let channel: any Channel
    let dispatcher: NBDDispatcher

    func negotiate(export: String, metaContexts: [String]) async throws -> NBDExportInfo {
        guard case .greeting(let flags) = try await dispatcher.nextHandshakeFrame() else {
            throw NBDError.protocolViolation("no greeting")
        }
        var clientFlags = NBDHandshakeFlag.clientFixedNewstyle
        if flags & NBDHandshakeFlag.noZeroes != 0 { clientFlags |= NBDHandshakeFlag.clientNoZeroes }
        try await send(.clientFlags(clientFlags))

        try await send(.option(.structuredReply, data: []))
        guard try await replies(to: .structuredReply, what: "structured replies").isEmpty else {
            throw NBDError.protocolViolation("unexpected reply to NBD_OPT_STRUCTURED_REPLY")
        }

        var contexts: [String: UInt32] = [:]
        if !metaContexts.isEmpty {
            try await send(.setMetaContext(export: export, contexts: metaContexts))
            for reply in try await replies(to: .setMetaContext, what: "meta contexts \(metaContexts) of export \(export)") {
                guard reply.type == NBDOptionReplyType.metaContext else { continue }
                let context = try NBDOptionReplyPayload.metaContext(reply.payload)
                contexts[context.name] = context.id
            }
            if let missing = metaContexts.first(where: { contexts[$0] == nil }) {
                throw NBDError.optionRefused(what: "meta context \(missing)", reply: "export \(export) does not offer it")
            }
        }

        try await send(.go(export: export))
        var info = NBDExportInfo(size: 0, flags: [], metaContexts: contexts)
        var sawExport = false
        for reply in try await replies(to: .go, what: "export \(export)") where reply.type == NBDOptionReplyType.info {
            try NBDOptionReplyPayload.apply(info: reply.payload, to: &info)
            if reply.payload.getInteger(at: reply.payload.readerIndex, as: UInt16.self) == NBDInfoType.export { sawExport = true }
        }
        guard sawExport else { throw NBDError.protocolViolation("NBD_OPT_GO without NBD_INFO_EXPORT") }
        return info
    }

    private func send(_ message: NBDClientMessage) async throws {
        var buffer = channel.allocator.buffer(capacity: 64)
        message.encode(into: &buffer)
        try await channel.writeAndFlush(buffer)
    }

    /// The replies to `option` up to its final `NBD_REP_ACK` (not included); an error reply throws.
    private func replies(to option: NBDOptionCode, what: String) async throws -> [(type: UInt32, payload: ByteBuffer)] {
        var collected: [(type: UInt32, payload: ByteBuffer)] = []
        while true {
            guard case .optionReply(let repliedTo, let type, let payload) = try await dispatcher.nextHandshakeFrame() else {
                throw NBDError.protocolViolation("a second greeting")
            }
            guard repliedTo == option.rawValue else {
                throw NBDError.protocolViolation("reply to option \(repliedTo) while waiting for \(option)")
            }
            if type == NBDOptionReplyType.ack { return collected }
            if type & NBDOptionReplyType.errorBit != 0 {
                let message = NBDOptionReplyPayload.message(payload)
                let reply = NBDOptionReplyType.errorName(type) + (message.isEmpty ? "" : ": \(message)")
                throw NBDError.optionRefused(what: what, reply: reply)
            }
            collected.append((type, payload))
        }
    }
}
