import Foundation
public import JoistAPI
import JoistCore
import Storage
import Store

extension ImageManager {
    /// Gives an image another name. Aliases are unique: one naming another image is refused; one
    /// already naming this image changes nothing.
    public func addAlias(_ alias: String, to reference: String) async throws -> Image {
        let alias = try Self.validate(alias: alias)
        let fingerprint = try entry(reference).record.fingerprint
        return try await exclusive(fingerprint) {
            try await attach(alias, to: fingerprint)
            return await view(try entry(fingerprint).record, visibleTo: nil)
        }
    }

    /// Removes an alias; the image stays. With `reference`, the alias must name that image.
    public func removeAlias(_ alias: String, of reference: String? = nil) async throws {
        let alias = try Self.validate(alias: alias)
        guard let fingerprint = aliases[alias] else { throw JoistError.notFound("image alias \(alias) not found") }
        if let reference, try entry(reference).record.fingerprint != fingerprint {
            throw JoistError.notFound("image alias \(alias) does not name image \(reference)")
        }
        try await exclusive(fingerprint) {
            guard var entry = images[fingerprint], entry.record.aliases.contains(alias) else {
                throw JoistError.notFound("image alias \(alias) not found")
            }
            entry.record.aliases.removeAll { $0 == alias }
            let transaction = Transaction().expect(ImageRecord.key(fingerprint), .modRevision(entry.revision))
                .put(ImageRecord.key(fingerprint), try APICoding.encoder().encode(entry.record))
                .delete(ImageRecord.aliasKey(alias))
            entry.revision = try await store.commit(transaction)
            images[fingerprint] = entry
            aliases.removeValue(forKey: alias)
            logger.info("removed alias \(alias) of image \(ImageFingerprint.short(fingerprint))")
            publish("image-alias-deleted", entry.record, reason: alias)
        }
    }

    /// Records `alias` for the image in one transaction with its record. The caller holds the image's
    /// `exclusive`.
    func attach(_ alias: String, to fingerprint: String) async throws {
        if aliases[alias] == fingerprint { return }
        if let owner = aliases[alias] { throw Self.aliasTaken(alias, by: owner, images) }
        guard var entry = images[fingerprint] else { throw JoistError.notFound("image \(ImageFingerprint.short(fingerprint)) not found") }
        entry.record.aliases = (entry.record.aliases + [alias]).sorted()
        let transaction = Transaction().expect(ImageRecord.key(fingerprint), .modRevision(entry.revision))
            .expect(ImageRecord.aliasKey(alias), .absent)
            .put(ImageRecord.key(fingerprint), try APICoding.encoder().encode(entry.record))
            .put(ImageRecord.aliasKey(alias), Data(fingerprint.utf8))
        do {
            entry.revision = try await store.commit(transaction)
        } catch StoreError.conflict {
            throw JoistError.alreadyExists("image alias \(alias) exists already")
        }
        images[fingerprint] = entry
        aliases[alias] = fingerprint
        logger.info("image \(ImageFingerprint.short(fingerprint)) is also called \(alias)")
        publish("image-alias-created", entry.record, reason: alias)
    }

    /// Deletes an image and its aliases; refused while volumes read it or CD-ROM drives hold it, naming them.
    public func delete(_ reference: String) async throws {
        let fingerprint = try entry(reference).record.fingerprint
        try await exclusive(fingerprint) {
            let entry = try self.entry(fingerprint)
            let readers = await storage.volumes(readingImage: fingerprint)
            guard readers.isEmpty else {
                let names = readers.map { ImageVolume(project: $0.project, pool: $0.pool, name: $0.name).description }
                throw JoistError.invalidState(
                    "cannot delete \(entry.record.phrase): volume\(names.count > 1 ? "s" : "") \(names.joined(separator: ", ")) "
                        + "read\(names.count > 1 ? "" : "s") it; delete \(names.count > 1 ? "them" : "it") first")
            }
            let drives = await storage.instances(readingImage: fingerprint).map(\.description)
            guard drives.isEmpty else {
                throw JoistError.invalidState(
                    "cannot delete \(entry.record.phrase): it is in the CD-ROM drive of instance\(drives.count > 1 ? "s" : "") "
                        + "\(drives.joined(separator: ", ")); delete \(drives.count > 1 ? "them" : "it") first")
            }
            try await forgetRecord(entry)
            do {
                try files.remove(fingerprint, format: entry.record.storedFormat)
            } catch {
                // The file is still there: so is the image.
                try? await restoreRecord(entry.record)
                throw error
            }
            logger.info("deleted \(entry.record.phrase)")
            publish("image-deleted", entry.record)
        }
    }

    /// Removes the record and its aliases, first in the store, then here.
    private func forgetRecord(_ entry: Entry) async throws {
        var transaction = Transaction().expect(ImageRecord.key(entry.record.fingerprint), .modRevision(entry.revision))
            .delete(ImageRecord.key(entry.record.fingerprint))
        for alias in entry.record.aliases { transaction = transaction.delete(ImageRecord.aliasKey(alias)) }
        try await store.commit(transaction)
        images.removeValue(forKey: entry.record.fingerprint)
        for alias in entry.record.aliases { aliases.removeValue(forKey: alias) }
    }

    private func restoreRecord(_ record: ImageRecord) async throws {
        var transaction = Transaction().expect(ImageRecord.key(record.fingerprint), .absent)
            .put(ImageRecord.key(record.fingerprint), try APICoding.encoder().encode(record))
        for alias in record.aliases { transaction = transaction.put(ImageRecord.aliasKey(alias), Data(record.fingerprint.utf8)) }
        let revision = try await store.commit(transaction)
        images[record.fingerprint] = Entry(record: record, revision: revision)
        for alias in record.aliases { aliases[alias] = record.fingerprint }
    }
}
