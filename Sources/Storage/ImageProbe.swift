import Foundation
import JoistCore

/// What an imported file is, as `ImageProbe` found it.
public struct DetectedImage: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A disk image in one of the formats qemu-img reads.
        case disk(ImageFileFormat)
        /// An ISO 9660 file.
        case iso
    }

    public var kind: Kind
    /// The size a guest sees, in bytes.
    public var virtualSize: UInt64

    public init(kind: Kind, virtualSize: UInt64) {
        self.kind = kind
        self.virtualSize = virtualSize
    }

    /// How the store keeps it: qcow2 and raw as they are, ISOs as they are, other formats as qcow2.
    public var storedFormat: StoredImageFormat {
        switch kind {
        case .iso: .iso
        case .disk(.raw): .raw
        case .disk: .qcow2
        }
    }

    /// Whether storing it means converting it (`qemu-img convert` to qcow2).
    public var needsConversion: Bool {
        if case .disk(let format) = kind { return format != .qcow2 && format != .raw }
        return false
    }

    /// The format's name as users know it: `qcow2`, `vmdk`, …, `iso`.
    public var formatName: String {
        switch kind {
        case .iso: "iso"
        case .disk(let format): format.rawValue
        }
    }
}

/// Finds out what a file given for import is, from its contents alone (never its name), and refuses
/// what cannot be stored safely.
///
/// qemu-img guesses the format. A file it takes for raw may still be an ISO 9660 image (`CD001` at
/// byte 32769) or a fixed VHD (whose only header is a `conectix` footer, which qemu-img does not
/// probe). Images that would read other files on the host (a qcow2 backing or data file, VMDK
/// extents elsewhere) are refused: a guest could otherwise read whatever they name.
public struct ImageProbe: Sendable {
    let qemuImg: QemuImg

    public init(qemuImg: QemuImg = QemuImg()) {
        self.qemuImg = qemuImg
    }

    /// Detects the format of the file at `path`; `what` names it in errors ("image upload.raw").
    public func detect(_ path: String, what: String) async throws -> DetectedImage {
        let probed = try await qemuImg.probe(path)
        guard let format = ImageFileFormat(rawValue: probed.format) else {
            throw JoistError(
                .unsupported,
                "cannot import \(what): its format is \(probed.format); Joist imports qcow2, raw, vmdk, vdi, vhdx, vpc and ISO 9660 files")
        }
        try Self.checkStandsAlone(probed, path: path, what: what)
        guard format == .raw else { return DetectedImage(kind: .disk(format), virtualSize: probed.virtualSize) }
        let size = try Self.fileSize(path)
        guard size > 0 else { throw JoistError.invalidArgument("cannot import \(what): the file is empty") }
        if Self.isISO9660(path) { return DetectedImage(kind: .iso, virtualSize: size) }
        if Self.hasVHDFooter(path, size: size) {
            let info = try await qemuImg.info(path, format: .vpc)
            return DetectedImage(kind: .disk(.vpc), virtualSize: info.virtualSize)
        }
        return DetectedImage(kind: .disk(.raw), virtualSize: size)
    }

    /// Refuses images whose data lies partly in other files.
    static func checkStandsAlone(_ probed: QemuImg.ProbedImage, path: String, what: String) throws(JoistError) {
        if let backing = probed.backingFilename {
            throw .invalidArgument(
                "cannot import \(what): it is an overlay whose data lies partly in the backing file '\(backing)'; "
                    + "import a standalone image (`qemu-img convert -O qcow2` flattens one)")
        }
        if let dataFile = probed.dataFile {
            throw .invalidArgument("cannot import \(what): its data lies in the external file '\(dataFile)'; import a standalone image")
        }
        if let extent = probed.extents.first(where: { $0 != path }) {
            throw .invalidArgument(
                "cannot import \(what): it is a VMDK whose data lies in other files ('\(extent)'); "
                    + "import a single-file VMDK (monolithicSparse or streamOptimized)")
        }
    }

    /// Whether the file holds an ISO 9660 volume descriptor: `CD001` at byte 32769.
    public static func isISO9660(_ path: String) -> Bool {
        read(path, count: 5, at: 32769) == Array("CD001".utf8)
    }

    /// Whether the file ends with a fixed VHD's footer: 512 bytes starting with the cookie `conectix`,
    /// disk type 2 (fixed) at offset 60. A fixed VHD has no header, so qemu-img's probe sees raw data.
    static func hasVHDFooter(_ path: String, size: UInt64) -> Bool {
        guard size >= 1024, let footer = read(path, count: 64, at: off_t(size - 512)), footer.count == 64 else { return false }
        let diskType = footer[60..<64].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return footer.prefix(8).elementsEqual("conectix".utf8) && diskType == 2
    }

    static func fileSize(_ path: String) throws(JoistError) -> UInt64 {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .hostFailure("cannot read the size of \(path): \(String(cString: strerror(errno)))")
        }
        return UInt64(info.st_size)
    }

    private static func read(_ path: String, count: Int, at offset: off_t) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, offset) }
        return got == count ? bytes : nil
    }
}
