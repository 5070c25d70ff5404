import Foundation
import ImageBuilder

/// The Debian 12 image `joist image build debian-12` makes, for tests that boot a real distribution.
///
/// It is built through a daemon at most once per test run and kept in `.cache/` under its cache key
/// (so a change to the recipe or the builder builds it again); later runs reuse the file.
/// `ensure(in:)` puts it in a harness's image store under `debian-12`, also marked as that build
/// (alias `build-KEY`), so `joist image build debian-12` there answers at once.
public enum DebianTestImage {
    /// The alias tests launch.
    public static let alias = "debian-12"

    /// The build's inputs on this host (its apt mirror), as `joist image build debian-12` makes them.
    public static func request() throws -> BuildRequest {
        let mirror = try Mirror.host()
        return try BuildRequest(recipe: Distribution.debian12.recipe(for: .amd64, mirror: mirror), mirror: mirror)
    }

    /// Where the built image is cached.
    public static func cacheFile(for request: BuildRequest) -> String {
        RepositoryPaths.root + "/.cache/debian-12-amd64-\(request.cacheKey.prefix(32)).qcow2"
    }

    /// What `file()` found or made.
    public struct Prepared: Sendable {
        public let path: String
        /// How long the build took, when this run built it (nil: the cache had it).
        public let buildTime: Duration?
    }

    /// The cached image file, built first (through a private daemon in the host's network namespace,
    /// which debootstrap needs to reach the mirror) when the cache does not have it.
    public static func file() async throws -> Prepared {
        try await Once.shared.prepared()
    }

    /// Puts the image in `harness`'s store as `debian-12` and `build-KEY`; returns what `file()` did.
    @discardableResult
    public static func ensure(in harness: DaemonHarness) async throws -> Prepared {
        let prepared = try await file()
        let request = try request()
        for arguments in [["image", "import", prepared.path, "--alias", alias], ["image", "alias", "add", alias, request.cacheAlias]] {
            let result = try await harness.cli(arguments)
            guard result.succeeded else { throw TestSetupError("joist \(arguments.joined(separator: " ")) failed: \(result)") }
        }
        return prepared
    }

    /// Builds at most once per process; concurrent callers wait for the same build.
    private actor Once {
        static let shared = Once()
        private var task: Task<Prepared, any Error>?

        func prepared() async throws -> Prepared {
            if let task { return try await task.value }
            let task = Task { try await DebianTestImage.build() }
            self.task = task
            return try await task.value
        }
    }

    private static func build() async throws -> Prepared {
        let request = try request()
        let path = cacheFile(for: request)
        if FileManager.default.fileExists(atPath: path) { return Prepared(path: path, buildTime: nil) }
        try FileManager.default.createDirectory(atPath: RepositoryPaths.root + "/.cache", withIntermediateDirectories: true)
        var buildTime: Duration?
        try await DaemonHarness.with(privateNetwork: false) { harness in
            let started = ContinuousClock.now
            let result = try await harness.cli(["image", "build", "debian-12"])
            guard result.succeeded else { throw TestSetupError("joist image build debian-12 failed: \(result)\n\(harness.daemonLog())") }
            buildTime = ContinuousClock.now - started
            let info = try await harness.cli(["image", "info", request.cacheAlias, "--format", "json"])
            guard info.succeeded, let object = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any],
                let fingerprint = object["fingerprint"] as? String
            else { throw TestSetupError("joist image info \(request.cacheAlias) failed: \(info)") }
            let temporary = path + ".tmp-\(getpid())"
            try? FileManager.default.removeItem(atPath: temporary)
            try FileManager.default.copyItem(atPath: harness.stateDirectory + "/images/\(fingerprint).qcow2", toPath: temporary)
            guard rename(temporary, path) == 0 else { throw TestSetupError("cannot move the built image to \(path)") }
        }
        return Prepared(path: path, buildTime: buildTime)
    }
}
