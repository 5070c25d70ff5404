import JoistCore

/// What goes into a built image, as data: the Debian suite and architecture, the packages, the files
/// written over the installed system, the services enabled and the kernel command line. A build
/// plan (`BuildPlan`) turns it into checked steps; its encoding is part of the build's cache key, so
/// any change to it builds a new image.
public struct Recipe: Codable, Sendable, Equatable {
    /// The name images are built under (`debian-12`): the default alias.
    public var distribution: String
    /// The Debian suite debootstrap installs (`bookworm`).
    public var suite: String
    public var architecture: Architecture
    /// Packages debootstrap installs on top of `minbase`, sorted.
    public var packages: [String]
    /// Files written into the installed system, in order (later ones replace earlier ones).
    public var files: [ConfigFile]
    /// Files removed from the installed system: ones each instance must make for itself.
    public var removals: [String]
    /// systemd units enabled in the image.
    public var services: [String]
    /// The kernel command line after `root=…`.
    public var kernelCommandLine: String

    public init(
        distribution: String, suite: String, architecture: Architecture, packages: [String], files: [ConfigFile],
        removals: [String], services: [String], kernelCommandLine: String
    ) {
        self.distribution = distribution
        self.suite = suite
        self.architecture = architecture
        self.packages = packages.sorted()
        self.files = files
        self.removals = removals
        self.services = services
        self.kernelCommandLine = kernelCommandLine
    }
}

/// A CPU architecture an image is built for. Only amd64 for now: the builder installs GRUB for
/// BIOS (i386-pc), which SeaBIOS boots.
public enum Architecture: String, Codable, Sendable, CaseIterable {
    case amd64

    /// Parses an architecture name, naming the supported ones when it is not one of them.
    public init(parsing name: String) throws(JoistError) {
        guard let architecture = Architecture(rawValue: name) else {
            let supported = Architecture.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidArgument("cannot build images for architecture '\(name)': only \(supported) is supported")
        }
        self = architecture
    }
}

/// A file of the built system: its absolute path inside the image, contents and mode.
public struct ConfigFile: Codable, Sendable, Equatable {
    public var path: String
    public var contents: String
    public var mode: UInt16

    public init(_ path: String, _ contents: String, mode: UInt16 = 0o644) {
        self.path = path
        self.contents = contents
        self.mode = mode
    }
}
