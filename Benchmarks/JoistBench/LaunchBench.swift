import Foundation
import JoistAPI
import JoistTesting

/// B9: launching an instance from an image makes its root volume a linked clone (a qcow2 overlay
/// reading the image), so the time must not grow with the image's size. Two images, 1 GiB and
/// 10 GiB, holding the same few MiB of data, are imported; then `joist launch --no-start` from each,
/// the same `POST /1.0/instances` sent directly, and a bare `qemu-img create -b` overlay (the floor)
/// are timed in interleaved rounds, alternating which image goes first.
struct LaunchBench {
    let joist: DaemonHarness
    let client: BenchClient
    let guest: TestGuest
    /// A folder on the state directory's file system for the image files.
    let folder: String
    let rounds: Int
    /// The images' virtual sizes, in GiB.
    static let sizes = [1, 10]
    /// Chunks of data written into each image, spread evenly over its virtual size.
    static let chunks = 8
    static let chunkMiB = 1

    struct Series: Codable {
        var gibibytes: Int
        /// `joist launch IMAGE NAME --no-start`, CLI start-up included.
        var cli: [Double] = []
        /// `POST /1.0/instances` with `image`, over a kept-alive Unix-socket connection.
        var api: [Double] = []
        /// `qemu-img create -f qcow2 -b IMAGE`: the overlay alone, as joistd makes it.
        var overlay: [Double] = []

        var medianCLI: Double { JoistBench.median(cli) }
        var medianAPI: Double { JoistBench.median(api) }
        var medianOverlay: Double { JoistBench.median(overlay) }
    }

    struct Result: Codable {
        var rounds: Int
        /// MiB of data each image holds (the same in both).
        var dataMiB: Int
        /// The imported image files' sizes in bytes, by virtual size in GiB.
        var imageFileBytes: [String: UInt64]
        var series: [Series]
    }

    func run() async throws -> Result {
        var fileBytes: [String: UInt64] = [:]
        for size in Self.sizes {
            let path = imagePath(size)
            try await makeImage(path, gibibytes: size)
            try await HostTools.cli(joist, ["image", "import", path, "--alias", alias(size)])
            fileBytes["\(size)"] = try fileSize(path)
            progress("B9: imported a \(size) GiB image (\(try fileSize(path) >> 20) MiB file)")
        }
        // One untimed round: the first launch pays for code paths and caches no later one needs.
        for size in Self.sizes { _ = try await measure(size) }
        var series = Self.sizes.map { Series(gibibytes: $0) }
        for round in 0..<rounds {
            let order = round % 2 == 0 ? Array(series.indices) : series.indices.reversed()
            for index in order {
                let times = try await measure(series[index].gibibytes)
                series[index].cli.append(times.cli)
                series[index].api.append(times.api)
                series[index].overlay.append(times.overlay)
                progress(
                    "B9 round \(round + 1)/\(rounds), \(series[index].gibibytes) GiB: CLI \(millis(times.cli)) ms, "
                        + "API \(millis(times.api)) ms, qemu-img create -b \(millis(times.overlay)) ms")
            }
        }
        return Result(rounds: rounds, dataMiB: Self.chunks * Self.chunkMiB, imageFileBytes: fileBytes, series: series)
    }

    /// One launch of each kind from the `size` GiB image, each undone (untimed) before the next.
    private func measure(_ size: Int) async throws -> (cli: Double, api: Double, overlay: Double) {
        let cliName = "cli-\(size)g"
        let cli = try await timed {
            try await HostTools.cli(
                joist, ["launch", alias(size), cliName, "--kernel", guest.kernel, "--initrd", guest.initrd, "--no-start"])
        }
        try await HostTools.cli(joist, ["delete", cliName])
        try await HostTools.cli(joist, ["volume", "delete", "default", cliName + "-root"])

        let apiName = "api-\(size)g"
        let api = try await timed {
            try await client.createInstance(InstanceCreate(name: apiName, kernel: guest.kernel, initrd: guest.initrd, image: alias(size)))
        }
        try await client.deleteInstance(apiName)
        try await client.send(.DELETE, "/1.0/storage-pools/default/volumes/\(apiName)-root", expect: .noContent)

        let overlayPath = folder + "/overlay-\(size)g.qcow2"
        let overlay = try await HostTools.timedRun(
            HostTools.qemuImg,
            ["create", "-q", "-f", "qcow2", "-b", imagePath(size), "-F", "qcow2", overlayPath, String(UInt64(size) << 30)])
        try FileManager.default.removeItem(atPath: overlayPath)
        return (cli, api, overlay)
    }

    /// A qcow2 image of `gibibytes` whose data is `chunks` MiB-sized runs of a non-zero byte, one at
    /// the start of every eighth of the disk: not empty, yet quick to make.
    private func makeImage(_ path: String, gibibytes: Int) async throws {
        let bytes = UInt64(gibibytes) << 30
        try await HostTools.run(HostTools.qemuImg, ["create", "-q", "-f", "qcow2", path, String(bytes)])
        var arguments = ["-f", "qcow2"]
        for chunk in 0..<Self.chunks {
            let offset = bytes / UInt64(Self.chunks) * UInt64(chunk)
            arguments += ["-c", "write -q -P \(0x11 + chunk) \(offset) \(Self.chunkMiB)M"]
        }
        try await HostTools.run(HostTools.qemuIO, arguments + [path])
    }

    private func imagePath(_ size: Int) -> String { folder + "/image-\(size)g.qcow2" }
    private func alias(_ size: Int) -> String { "bench-\(size)g" }

    private func fileSize(_ path: String) throws -> UInt64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0
    }
}
