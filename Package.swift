// swift-tools-version:6.2
import PackageDescription

/// Settings shared by every Joist target: Swift 6 mode, explicit `any`, warnings are errors.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "Joist",
    products: [
        .executable(name: "joistd", targets: ["joistd"]),
        .executable(name: "joist", targets: ["joist"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // Already in the graph through async-http-client; named for SHA-256, certificates and TLS.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Domain: names, specs, validation, lifecycle state machine, errors. No I/O.
        .target(name: "JoistCore", swiftSettings: strict),
        // Codable wire types shared by daemon and CLI.
        .target(name: "JoistAPI", dependencies: ["JoistCore", "Networking"], swiftSettings: strict),
        // Host processes: spawning children with a clean slate, running tools and capturing their output.
        .target(name: "HostKit", dependencies: ["JoistCore"], swiftSettings: strict),
        // Host and guest resource readings: /proc parsers, sample rings and rates (pure), no dependencies.
        .target(name: "HostMetrics", swiftSettings: strict),
        // QMP client over a Unix socket.
        .target(
            name: "QMP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // QEMU guest agent client (qemu-ga over its virtio-serial chardev socket): handshake, timeouts,
        // typed commands.
        .target(
            name: "GuestAgent",
            dependencies: [
                "QMP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // cloud-init NoCloud seeds: user-data validation and the seed's files (pure, YAML with Yams),
        // and the `cidata` ISO written with genisoimage.
        .target(
            name: "CloudInit",
            dependencies: ["JoistCore", "HostKit", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        // NBD client (read-only: reads, block status of allocation and dirty bitmaps) over a Unix or TCP socket.
        .target(
            name: "NBD",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // QEMU argv builder (pure), process launcher, accelerator probe.
        .target(
            name: "QEMUDriver",
            dependencies: [
                "JoistCore", "HostKit", "QMP", "GuestAgent", "NBD", "Networking", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Storage drivers behind `StorageBackend` (dir, btrfs), the typed qemu-img client, and the image
        // store's files (staging with SHA-256, format detection, conversion).
        .target(
            name: "Storage",
            dependencies: ["JoistCore", "HostKit", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // Builds bootable Debian images from Debian packages: recipes and build plans as data (pure), a
        // runner that executes them as root (debootstrap, sfdisk, mkfs.ext4, grub-install, qemu-img) and
        // releases every mount, loop device and temporary however a build ends.
        .target(
            name: "ImageBuilder",
            dependencies: [
                "JoistCore", "HostKit", .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The system zstd library (Debian `libzstd-dev`), for compressing backup chunks.
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // Backups: a content-addressed, deduplicated, compressed chunk store with manifests, the writer
        // that fills it from a `BackupSource`, restore, verify, gc and retention policies.
        .target(
            name: "Backup",
            dependencies: ["JoistCore", "CZstd", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // Networks as data: addresses, configs, link names, MACs, and the dnsmasq and nftables files
        // rendered from them (pure), and `LinuxHostNetwork`, which applies them with ip, nft and dnsmasq.
        .target(name: "Networking", dependencies: ["JoistCore", "HostKit"], swiftSettings: strict),
        // Revisioned key-value state: protocol, in-memory and SQLite backends.
        .target(
            name: "Store",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // TLS material: self-signed certificates, fingerprints, server and pinned-client configurations.
        .target(
            name: "JoistTLS",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // What the daemon is doing and has done: operations, the event bus, the audit log.
        .target(
            name: "Activity",
            dependencies: [
                "JoistCore", "JoistAPI",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Orchestration: instance supervisors, console hub, recovery files.
        .target(
            name: "Daemon",
            dependencies: [
                "JoistCore", "JoistAPI", "HostKit", "QMP", "GuestAgent", "QEMUDriver", "Storage", "Store", "Activity", "Networking", "Backup", "NBD",
                "CloudInit",
                "ImageBuilder",
                "HostMetrics",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                // Image imports from http(s) URLs.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        // REST API routes on Hummingbird.
        .target(
            name: "APIServer",
            dependencies: [
                "JoistCore", "JoistAPI", "Daemon", "Activity", "JoistTLS", "Storage", "Networking", "Backup",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ],
            swiftSettings: strict
        ),
        // The `joist` command line, as a library.
        .target(
            name: "CLI",
            dependencies: [
                "JoistCore", "JoistAPI", "JoistTLS", "Networking",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "joistd",
            dependencies: [
                "Daemon", "APIServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "joist", dependencies: ["CLI"], swiftSettings: strict),
        // Test support: fake QMP server on a real socket, in-memory storage backend, fake host network,
        // test guest locator.
        .target(
            name: "JoistTesting",
            dependencies: [
                "QMP", "JoistAPI", "JoistCore", "HostKit", "Storage", "Networking", "ImageBuilder",
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Test traits (Swift Testing): `.bootsGuests` shares the host's cores between guest-booting tests.
        .target(name: "JoistTestTraits", swiftSettings: strict),
        // Benchmarks (not tests): `scripts/bench`.
        .executableTarget(
            name: "joist-bench",
            dependencies: [
                "JoistCore", "JoistAPI", "HostKit", "QEMUDriver", "QMP", "JoistTesting", "Backup", "NBD",
                .product(name: "Logging", package: "swift-log"), .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Benchmarks/JoistBench",
            swiftSettings: strict
        ),
        .testTarget(name: "JoistCoreTests", dependencies: ["JoistCore", "JoistAPI"], swiftSettings: strict),
        .testTarget(
            name: "CloudInitTests", dependencies: ["CloudInit", "JoistCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
        .testTarget(name: "QMPTests", dependencies: ["QMP", "JoistTesting", "HostKit"], swiftSettings: strict),
        .testTarget(
            name: "GuestAgentTests",
            dependencies: [
                "GuestAgent", "QMP", "JoistTesting", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "NBDTests", dependencies: ["NBD", "HostKit", "JoistTesting", .product(name: "NIOCore", package: "swift-nio")], swiftSettings: strict),
        .testTarget(name: "ImageBuilderTests", dependencies: ["ImageBuilder", "JoistCore", "HostKit"], swiftSettings: strict),
        .testTarget(name: "StoreTests", dependencies: ["Store"], swiftSettings: strict),
        .testTarget(name: "HostMetricsTests", dependencies: ["HostMetrics"], swiftSettings: strict),
        .testTarget(name: "HostKitTests", dependencies: ["HostKit", "JoistCore", "JoistTesting"], swiftSettings: strict),
        .testTarget(name: "BackupTests", dependencies: ["Backup", "JoistCore", "JoistTesting", "Storage"], swiftSettings: strict),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "HostKit", "JoistCore"], swiftSettings: strict),
        .testTarget(
            name: "NetworkingTests",
            dependencies: ["Networking", "JoistCore", "HostKit", "JoistTesting"],
            exclude: ["Golden"],
            swiftSettings: strict
        ),
        .testTarget(name: "ActivityTests", dependencies: ["Activity", "JoistAPI", "JoistCore"], swiftSettings: strict),
        .testTarget(name: "JoistTLSTests", dependencies: ["JoistTLS", "JoistTesting"], swiftSettings: strict),
        .testTarget(
            name: "APIServerTests",
            dependencies: [
                "APIServer", "Daemon", "Activity", "JoistAPI", "JoistCore", "JoistTesting", "QEMUDriver", "Storage", "Store",
                "Networking", "Backup",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "APISpecTests",
            dependencies: ["JoistTesting", "JoistAPI", "JoistCore", "Networking", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DaemonTests",
            dependencies: [
                "Backup", "Daemon", "HostKit", "ImageBuilder", "JoistAPI", "JoistCore", "JoistTesting", "Networking", "QEMUDriver", "QMP", "Storage",
                "Store",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "QEMUDriverTests",
            dependencies: [
                "QEMUDriver", "HostKit", "JoistCore", "JoistTesting", "JoistTestTraits", "QMP", "NBD", "Networking",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Golden"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CLITests",
            dependencies: [
                "CLI", "JoistTLS", "JoistTesting", "Networking",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "JoistCore", "JoistAPI", "JoistTesting", "JoistTestTraits", "HostKit", "QEMUDriver", "Backup", "GuestAgent", "CLI",
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
    ]
)
