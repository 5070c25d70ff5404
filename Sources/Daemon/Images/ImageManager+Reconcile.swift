import Foundation
import JoistAPI
import JoistCore
import Storage
import Store

extension ImageManager {
    /// Settles the records with the files, logging each change: a record whose file is gone is
    /// forgotten (with its aliases), a file without a record (a crash between "put in place" and
    /// "recorded") is adopted without aliases, and alias keys of no image are removed.
    func reconcile(aliasKeys: [String]) async {
        let found: [(fingerprint: String, format: StoredImageFormat)]
        do {
            found = try files.stored()
        } catch {
            logger.warning("image store at \(files.folder) cannot be listed: \(error)")
            return
        }
        let onDisk = Dictionary(found.map { ($0.fingerprint, $0.format) }) { first, _ in first }
        for (fingerprint, entry) in images.sorted(by: { $0.key < $1.key }) where onDisk[fingerprint] != entry.record.storedFormat {
            await forget(entry)
        }
        for (fingerprint, format) in onDisk.sorted(by: { $0.key < $1.key }) where images[fingerprint] == nil {
            await adopt(fingerprint, format: format)
        }
        for key in aliasKeys {
            let alias = String(key.dropFirst(ImageRecord.aliasPrefix.count))
            guard aliases[alias] == nil else { continue }
            logger.warning("image alias \(alias) names no image; removing it")
            _ = try? await store.delete(key, expect: .any)
        }
    }

    private func forget(_ entry: Entry) async {
        let record = entry.record
        logger.warning("\(record.phrase) has no file in the image store any more; forgetting its record")
        var transaction = Transaction().delete(ImageRecord.key(record.fingerprint))
        for alias in record.aliases { transaction = transaction.delete(ImageRecord.aliasKey(alias)) }
        do {
            try await store.commit(transaction)
            images.removeValue(forKey: record.fingerprint)
            for alias in record.aliases { aliases.removeValue(forKey: alias) }
        } catch {
            logger.error("cannot forget \(record.phrase): \(error)")
        }
    }

    private func adopt(_ fingerprint: String, format: StoredImageFormat) async {
        do {
            let path = try files.path(of: fingerprint, format: format)
            let virtualSize = try await qemuImg.info(path, format: ImageFileFormat(format.diskFormat)).virtualSize
            let record = ImageRecord(
                fingerprint: fingerprint, aliases: [], type: format == .iso ? .iso : .disk, storedFormat: format,
                sourceFormat: format == .iso ? .iso : format == .raw ? .raw : .qcow2, virtualSize: virtualSize,
                fileSize: try files.fileSize(path), createdAt: Date())
            let revision = try await store.put(ImageRecord.key(fingerprint), try APICoding.encoder().encode(record), expect: .absent)
            images[fingerprint] = Entry(record: record, revision: revision)
            logger.notice("adopted \(record.phrase) (\(format.rawValue)), found in the image store without a record")
        } catch {
            logger.error("cannot adopt image \(ImageFingerprint.short(fingerprint)) found in the image store: \(error)")
        }
    }

    /// Runs `body` while no other change of the image runs; later changes wait their turn, in order.
    /// The same scheme as `StorageManager.exclusive`, keyed by fingerprint.
    func exclusive<T: Sendable>(_ fingerprint: String, _ body: () async throws -> T) async throws -> T {
        if busy[fingerprint] == nil {
            busy[fingerprint] = []
        } else {
            await withCheckedContinuation { busy[fingerprint, default: []].append($0) }
        }
        defer { handOver(fingerprint) }
        return try await body()
    }

    private func handOver(_ fingerprint: String) {
        guard var waiters = busy[fingerprint], !waiters.isEmpty else {
            busy.removeValue(forKey: fingerprint)
            return
        }
        let next = waiters.removeFirst()
        busy[fingerprint] = waiters
        next.resume()
    }
}
