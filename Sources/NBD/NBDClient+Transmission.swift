import NIOCore

extension NBDClient {
    /// How many requests of one `read` are in flight together.
    static let readPipelineDepth = 4

    /// Reads `length` bytes at `offset`. Maps to `NBD_CMD_READ`, split into requests no larger than
    /// the export's maximum block size and pipelined; holes come back as zeroes.
    ///
    /// - Throws: `NBDError.invalidRequest` when the range runs past the export's end; `.commandFailed`
    ///   when the server reports an error (with its errno and message).
    public func read(offset: UInt64, length: Int) async throws -> [UInt8] {
        guard length >= 0, offset <= export.size, UInt64(length) <= export.size - offset else {
            throw NBDError.invalidRequest("read of \(length) bytes at \(offset) runs past the export's end (\(export.size) bytes)")
        }
        let pieceSize = Int(Swift.min(export.maximumBlockSize, 32 << 20))
        let pieces = stride(from: 0, to: length, by: pieceSize).map { (start: $0, length: Swift.min(pieceSize, length - $0)) }
        if pieces.count <= 1 {
            return length == 0 ? [] : try await readPiece(offset: offset, length: length)
        }
        var bytes = [UInt8](repeating: 0, count: length)
        try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            var next = 0
            func startNext() {
                guard next < pieces.count else { return }
                let piece = pieces[next]
                next += 1
                group.addTask { (piece.start, try await self.readPiece(offset: offset + UInt64(piece.start), length: piece.length)) }
            }
            for _ in 0..<Self.readPipelineDepth { startNext() }
            while let (start, piece) = try await group.next() {
                bytes.replaceSubrange(start..<(start + piece.count), with: piece)
                startNext()
            }
        }
        return bytes
    }

    /// The extents of meta context `context` (one agreed at connect time) over `length` bytes at
    /// `offset` (to the export's end when nil), merged. Maps to `NBD_CMD_BLOCK_STATUS`, asked again
    /// from where each answer stops until the range is covered.
    public func blockStatus(context: String, offset: UInt64 = 0, length: UInt64? = nil) async throws -> [NBDExtent] {
        guard let contextID = export.metaContexts[context] else {
            throw NBDError.invalidRequest("meta context \(context) was not negotiated (have: \(export.metaContexts.keys.sorted()))")
        }
        let end = length.map { offset + $0 } ?? export.size
        guard offset <= end, end <= export.size else {
            throw NBDError.invalidRequest("block status of \(offset)..<\(end) runs past the export's end (\(export.size) bytes)")
        }
        var collector = NBDExtentCollector(start: offset, end: end)
        // One request covers at most 2 GiB: within the protocol's 32-bit length, and aligned to any block size.
        let maximumRequest: UInt64 = 1 << 31
        while !collector.isComplete {
            let start = collector.covered
            let requestLength = UInt32(Swift.min(end - start, maximumRequest))
            let what = "block status of \(context) at \(start)"
            let reply = try await send(NBDRequest(command: .blockStatus, cookie: 0, offset: start, length: requestLength), what: what)
            try collector.add(NBDBlockStatusReply.descriptors(in: reply, contextID: contextID, what: what), from: start)
        }
        return collector.extents.merged()
    }

    /// The extents marked dirty in the export's `qemu:dirty-bitmap:NAME` context: what changed.
    public func dirtyExtents(bitmap: String) async throws -> [NBDExtent] {
        try await blockStatus(context: NBDMetaContext.dirtyBitmap(bitmap)).having(NBDMetaContext.stateDirty)
    }

    private func readPiece(offset: UInt64, length: Int) async throws -> [UInt8] {
        let what = "read of \(length) bytes at \(offset)"
        let reply = try await send(NBDRequest(command: .read, cookie: 0, offset: offset, length: UInt32(length)), what: what)
        return try NBDReadReply.bytes(of: reply, offset: offset, length: length, what: what)
    }

    /// Sends `request` under a fresh cookie and returns its reply, within `requestTimeout`.
    func send(_ template: NBDRequest, what: String) async throws -> NBDReply {
        var request = template
        request.cookie = dispatcher.makeCookie()
        let cookie = request.cookie
        let dispatcher = self.dispatcher
        let channel = self.channel
        let timeout = requestTimeout
        let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            dispatcher.close(reason: .timeout("no answer to the \(what) within \(timeout)"))
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard dispatcher.register(cookie: cookie, continuation) else { return }
                if Task.isCancelled {
                    dispatcher.abandon(cookie: cookie, with: CancellationError())
                    return
                }
                var buffer = channel.allocator.buffer(capacity: 28)
                NBDClientMessage.request(request).encode(into: &buffer)
                channel.writeAndFlush(buffer).whenFailure { _ in
                    dispatcher.abandon(cookie: cookie, with: NBDError.disconnected)
                }
            }
        } onCancel: {
            dispatcher.abandon(cookie: cookie, with: CancellationError())
        }
    }
}
