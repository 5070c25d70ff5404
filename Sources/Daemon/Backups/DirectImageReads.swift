import Backup
import Logging
import QEMUDriver
import Storage

/// A stopped disk's backup reads its data straight from the image files (`MappedImageSource`)
/// rather than through the NBD export, where `qemu-img map` shows the data stored plainly: one copy
/// out of the page cache instead of a server's copy, a socket and a client's copy. The export still
/// answers what changed since the last backup, sets the checkpoint, and reads what the files do not
/// hold plainly (compressed clusters, encrypted or external-data images).
///
/// Only while the disk is held by the backup's own storage daemon (the images are locked, so no
/// guest writes them) and no snapshot is taken in the same step.
enum DirectImageReads {
    /// `fallback` wrapped to read `disk` from its files, or `fallback` itself when the image's
    /// layout cannot be read (the backup then goes all through NBD, which is only slower).
    static func source(for disk: AttachedDisk, over fallback: any BackupSource, logger: Logger) async -> any BackupSource {
        let qemuImg = QemuImg(), format = ImageFileFormat(disk.format)
        do {
            let chain = try await qemuImg.chain(disk.path, format: format)
            let map = try await qemuImg.map(disk.path, format: format)
            guard let (layers, mapping) = layout(map: map, chain: chain, size: fallback.size) else {
                logger.notice("backup reads disk \(disk.source) through NBD: qemu-img map does not cover it exactly")
                return fallback
            }
            return try MappedImageSource(layers: layers, mapping: mapping, fallback: fallback)
        } catch {
            logger.notice("backup reads disk \(disk.source) through NBD: \(error)")
            return fallback
        }
    }

    /// The files the data lies in (only the layers that hold some of it) and where each range of the
    /// disk is in them. Pure. A range goes to the files only when qemu-img gave an offset into a layer
    /// whose clusters lie plainly in its file, named by an absolute path.
    static func layout(map: [QemuImg.MapExtent], chain: [QemuImg.ChainLayer], size: UInt64) -> ([String], HostMapping)? {
        var layers: [String] = []
        var index: [Int: Int] = [:]
        let extents = map.map { extent -> HostMapping.Extent in
            let place: HostMapping.Place
            if extent.zero {
                place = .zero
            } else if extent.data, let offset = extent.offset, chain.indices.contains(extent.depth),
                chain[extent.depth].plain, chain[extent.depth].filename.hasPrefix("/")
            {
                let layer = index[extent.depth] ?? layers.count
                if index[extent.depth] == nil {
                    index[extent.depth] = layer
                    layers.append(chain[extent.depth].filename)
                }
                place = .file(layer: layer, offset: offset)
            } else {
                place = .elsewhere
            }
            return HostMapping.Extent(start: extent.start, length: extent.length, place: place)
        }
        return HostMapping(extents: extents, size: size).map { (layers, $0) }
    }
}
