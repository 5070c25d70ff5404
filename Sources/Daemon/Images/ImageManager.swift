import Activity
import Foundation
public import JoistAPI
import JoistCore
import Logging
import Storage
import Store

/// The image store: disk and ISO images named by the SHA-256 of the bytes imported, with unique
/// aliases; imports (uploads, downloads, host files), publishing a volume as an image, and volumes
/// made from images as copy-on-write clones.
///
/// Images are global. The files live in `STATE/images` (`ImageFiles`); each record in the store
/// (`ImageRecord`) is written in one transaction with its aliases. A file is put in place before its
/// record is written, and only whole files are ever put in place, so a crash leaves nothing `load`
/// cannot settle: staging files are removed, a file without a record is adopted, a record without a
/// file is forgotten. Changes of one image run one at a time (`exclusive`), and deleting an image is
/// refused while volumes read it.
public actor ImageManager {
    struct Entry: Sendable {
        var record: ImageRecord
        var revision: Int64
    }

    /// Free space an import leaves on the state directory's file system, by default.
    public static let defaultReserve: UInt64 = 256 << 20

    let store: any Store
    let storage: StorageManager
    let files: ImageFiles
    let probe: ImageProbe
    let qemuImg: QemuImg
    let events: EventBus
    let logger: Logger
    /// `STATE/image-builds`: one work folder per image build in progress.
    let buildsFolder: String
    /// Bytes an import leaves free on the state directory's file system.
    public nonisolated let reserve: UInt64

    var images: [String: Entry] = [:]
    /// Alias → fingerprint.
    var aliases: [String: String] = [:]
    /// The changes waiting for each image that is being changed (see `exclusive`).
    var busy: [String: [CheckedContinuation<Void, Never>]] = [:]

    public init(env: DaemonEnvironment, storage: StorageManager, qemuImg: QemuImg = QemuImg(), reserve: UInt64 = defaultReserve) {
        self.store = env.store
        self.storage = storage
        self.files = ImageFiles(stateDirectory: env.stateDirectory, qemuImg: qemuImg)
        self.probe = ImageProbe(qemuImg: qemuImg)
        self.qemuImg = qemuImg
        self.events = env.events
        self.logger = env.logger
        self.buildsFolder = env.stateDirectory + "/image-builds"
        self.reserve = reserve
    }

    /// Makes the folders, empties the staging folder, loads the records and settles them with the
    /// files (`reconcile`).
    public func load() async throws {
        try files.prepare()
        for path in try files.sweep() {
            logger.notice("image store: removed \(path), left by an interrupted import")
        }
        let (items, _) = try await store.range(prefix: ImageRecord.prefix)
        let decoder = APICoding.decoder()
        for item in items where ImageRecord.isRecordKey(item.key) {
            do {
                let record = try decoder.decode(ImageRecord.self, from: item.value)
                images[record.fingerprint] = Entry(record: record, revision: item.modRevision)
                for alias in record.aliases { aliases[alias] = record.fingerprint }
            } catch {
                logger.error("skipping unreadable image record \(item.key): \(error)")
            }
        }
        await sweepBuilds()
        await reconcile(aliasKeys: items.filter { !ImageRecord.isRecordKey($0.key) }.map(\.key))
    }

    /// Every image, sorted by fingerprint, with the volumes of `project` reading it (all when nil).
    public func list(visibleTo project: String?) async -> [Image] {
        var views: [Image] = []
        for fingerprint in images.keys.sorted() {
            guard let entry = images[fingerprint] else { continue }
            views.append(await view(entry.record, visibleTo: project))
        }
        return views
    }

    /// One image, by alias, fingerprint or a unique fingerprint prefix.
    public func image(_ reference: String, visibleTo project: String?) async throws -> Image {
        await view(try entry(reference).record, visibleTo: project)
    }

    /// The file of an image, by alias, fingerprint or a unique fingerprint prefix: what QEMU opens
    /// (an ISO attached as a CD-ROM) or what a volume reads.
    public func source(of reference: String) throws -> ImageSource {
        try source(of: entry(reference).record)
    }

    func source(of record: ImageRecord) throws -> ImageSource {
        ImageSource(
            fingerprint: record.fingerprint, path: try files.path(of: record.fingerprint, format: record.storedFormat),
            format: record.storedFormat.diskFormat, virtualSize: record.virtualSize)
    }

    /// The image a reference names: an alias first, else the full fingerprint or a prefix of at least
    /// 12 digits that only one image has.
    func entry(_ reference: String) throws(JoistError) -> Entry {
        if let fingerprint = aliases[reference], let entry = images[fingerprint] { return entry }
        guard ImageFingerprint.isHex(reference) else {
            try ResourceName.validate(reference, kind: "image alias")
            throw .notFound("image \(reference) not found")
        }
        if let entry = images[reference] { return entry }
        guard reference.count >= ImageFingerprint.shortLength else {
            throw .notFound("image \(reference) not found (a fingerprint prefix needs at least \(ImageFingerprint.shortLength) digits)")
        }
        let matches = images.keys.filter { $0.hasPrefix(reference) }
        guard matches.count < 2 else {
            throw .invalidArgument("image prefix \(reference) matches \(matches.count) images; give more digits")
        }
        guard let fingerprint = matches.first, let entry = images[fingerprint] else { throw .notFound("image \(reference) not found") }
        return entry
    }

    /// The record as the API shows it, with the volumes that read it and that `project` may see.
    func view(_ record: ImageRecord, visibleTo project: String?) async -> Image {
        let users = await storage.volumes(readingImage: record.fingerprint).filter { project == nil || $0.project == project }
        return record.view(usedBy: users.map { ImageVolume(project: $0.project, pool: $0.pool, name: $0.name) })
    }

    /// Lifecycle events of images are global, like pools'.
    func publish(_ action: String, _ record: ImageRecord, reason: String? = nil) {
        let event = LifecycleEvent(
            action: action, source: "/1.0/images/\(record.fingerprint)", name: record.aliases.first ?? record.fingerprint, reason: reason)
        events.publish(Event(type: .lifecycle, timestamp: Date(), project: nil, lifecycle: event))
    }
}
