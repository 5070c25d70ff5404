import Backup
import Foundation
import NBD

/// Keeps the next few chunks of a backup's read plan on their way over NBD while the writer works on
/// the one before, so the server reads (and the socket carries) one chunk while the writer hashes
/// and stores another, instead of each waiting for the other.
///
/// Only ranges the writer said it will read are fetched (`plan`), so an incremental backup reads no
/// more than it needs. Reads outside the plan go straight to the server.
final class NBDReadAhead: @unchecked Sendable {
    // @unchecked: every mutable property is guarded by `lock`.
    private let reader: NBDDiskReader
    /// Reads in flight ahead of the writer, besides the one it waits for.
    private let depth: Int
    private let lock = NSLock()
    private var planned: [DiskExtent] = []
    private var nextPlanned = 0
    private var fetching: [UInt64: (length: Int, task: Task<[UInt8], any Error>)] = [:]

    init(reader: NBDDiskReader, depth: Int = 2) {
        self.reader = reader
        self.depth = depth
    }

    deinit {
        for entry in fetching.values { entry.task.cancel() }
    }

    /// The ranges the writer will read, in order; replaces any earlier plan.
    func plan(_ ranges: [DiskExtent]) {
        lock.withLock {
            for entry in fetching.values { entry.task.cancel() }
            fetching = [:]
            planned = ranges
            nextPlanned = 0
        }
    }

    /// `length` bytes at `offset`: the fetch started earlier when there is one, a new read otherwise.
    /// Starts fetching the planned ranges after it.
    func read(offset: UInt64, length: Int) async throws -> [UInt8] {
        let task = lock.withLock {
            let task: Task<[UInt8], any Error>
            if let ahead = fetching.removeValue(forKey: offset), ahead.length == length {
                task = ahead.task
            } else {
                task = fetch(offset, length)
            }
            // Planned ranges at or before this one are read (or skipped) by now.
            while nextPlanned < planned.count, planned[nextPlanned].offset <= offset { nextPlanned += 1 }
            for (start, entry) in fetching where start < offset {
                entry.task.cancel()
                fetching[start] = nil
            }
            while fetching.count < depth, nextPlanned < planned.count {
                let range = planned[nextPlanned]
                nextPlanned += 1
                fetching[range.offset] = (Int(range.length), fetch(range.offset, Int(range.length)))
            }
            return task
        }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    private func fetch(_ offset: UInt64, _ length: Int) -> Task<[UInt8], any Error> {
        let reader = self.reader
        return Task { try await reader.read(offset: offset, length: length) }
    }
}
