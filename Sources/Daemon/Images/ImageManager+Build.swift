import Foundation
public import ImageBuilder
public import JoistAPI
public import JoistCore
import Storage

/// What `joist image build` asks for, validated.
public struct ImageBuildOptions: Sendable, Equatable {
    public var distribution: Distribution
    public var architecture: Architecture
    public var size: ByteSize
    /// The alias the image gets (the distribution's name unless given).
    public var alias: String
    /// Build even when an image of the same inputs exists.
    public var force: Bool

    public init(distribution: String, architecture: String?, size: ByteSize?, alias: String?, force: Bool) throws(JoistError) {
        self.distribution = try Distribution(parsing: distribution)
        self.architecture = try Architecture(parsing: architecture ?? Architecture.amd64.rawValue)
        self.size = try BuildRequest.validate(size: size ?? BuildRequest.defaultSize)
        self.alias = try ImageManager.validate(alias: alias ?? distribution)
        self.force = force
    }
}

/// What a build ended with.
public struct BuiltImage: Sendable, Equatable {
    public var image: Image
    /// Whether an image built from the same inputs was there already (nothing was built).
    public var cached: Bool
    public var cacheKey: String
}

extension ImageManager {
    /// Space a build needs on the state directory's file system: the installed system, the sparse
    /// raw disk's written part and the qcow2, with room to spare.
    static let buildSpace: UInt64 = 3 << 30

    /// Builds an image from Debian packages (`ImageBuilder`) and stores it under `options.alias`
    /// and the alias `build-KEY` naming its inputs; progress counts the build's steps.
    ///
    /// With the same inputs built before (the `build-KEY` alias exists) and no `force`, nothing is
    /// built: the image gets the alias and is answered at once. The alias may name another image
    /// only when forced (it then moves to the new one). Builds of the same inputs run one at a time.
    public func build(_ options: ImageBuildOptions, progress: TransferProgressHandler? = nil) async throws -> BuiltImage {
        let mirror = try Mirror.host()
        let request = try BuildRequest(
            recipe: options.distribution.recipe(for: options.architecture, mirror: mirror), size: options.size, mirror: mirror)
        let key = request.cacheKey
        return try await exclusive(request.cacheAlias) {
            if !options.force, let fingerprint = aliases[request.cacheAlias] {
                try await exclusive(fingerprint) { try await attach(options.alias, to: fingerprint) }
                logger.info("image build: \(options.alias) was built from the same inputs before (image \(ImageFingerprint.short(fingerprint)))")
                return BuiltImage(image: try await view(entry(fingerprint).record, visibleTo: nil), cached: true, cacheKey: key)
            }
            if !options.force, let owner = aliases[options.alias] { throw Self.aliasTaken(options.alias, by: owner, images) }
            try files.checkSpace(needs: Self.buildSpace, reserve: reserve)
            let staged = try await runBuild(request, progress: progress)
            let imported = try await importStaged(staged, origin: "the \(options.distribution.rawValue) build", alias: nil)
            let fingerprint = imported.image.fingerprint
            for alias in [request.cacheAlias, options.alias] {
                if let owner = aliases[alias], owner != fingerprint { try await removeAlias(alias) }
                try await exclusive(fingerprint) { try await attach(alias, to: fingerprint) }
            }
            return BuiltImage(image: try await view(entry(fingerprint).record, visibleTo: nil), cached: false, cacheKey: key)
        }
    }

    /// Runs the build in a fresh folder under `STATE/image-builds` into a staging file, hashed.
    private func runBuild(_ request: BuildRequest, progress: TransferProgressHandler?) async throws -> StagedFile {
        try FileManager.default.createDirectory(atPath: buildsFolder, withIntermediateDirectories: true)
        let id = UUID().uuidString.lowercased()
        let layout = BuildLayout(folder: buildsFolder + "/" + id, output: files.stagingPath("build"))
        let started = ContinuousClock.now
        logger.info("image build: building \(request.recipe.distribution) (\(request.recipe.architecture.rawValue), \(request.size)) from \(request.mirror) in \(layout.folder)")
        try await ImageBuilder(logger: logger).build(request, in: layout) { stage, done, total in
            progress?(TransferProgress(stage: stage, done: UInt64(done), total: UInt64(total)))
        }
        do {
            let fingerprint = try await files.digest(of: layout.output, progress: nil)
            let size = try files.fileSize(layout.output)
            logger.info("image build: \(request.recipe.distribution) built in \(ContinuousClock.now - started) (\(ByteSize(bytes: size).approximate) qcow2)")
            return StagedFile(path: layout.output, fingerprint: fingerprint, size: size)
        } catch {
            unlink(layout.output)
            throw error
        }
    }

    /// Releases what builds a stopped daemon left in `STATE/image-builds` (mounts, loop devices,
    /// folders).
    func sweepBuilds() async {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: buildsFolder)) ?? []
        for name in names {
            let folder = buildsFolder + "/" + name
            do {
                try await BuildCleanup().release(folder)
                logger.notice("image store: removed \(folder), left by an interrupted image build")
            } catch {
                logger.error("image store: cannot release \(folder), left by an interrupted image build: \(error)")
            }
        }
    }
}
