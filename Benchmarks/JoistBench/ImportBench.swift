import Foundation
import JoistAPI
import JoistTesting

/// B10: `joist volume import` (joistd converts the file into the pool with `qemu-img convert`) against
/// plain `qemu-img convert -O qcow2` of the same file onto the same file system, in interleaved rounds
/// that rotate which side goes first. The same import sent straight to the API is a third side: the
/// CLI's start-up is the difference.
///
/// The source is random bytes (nothing for qcow2 to skip or compress), written once per run. Every
/// side reads it from the page cache: it was just written and fits in memory, so the comparison is
/// of converting and writing, not of reading a cold disk. Before every timed side, `sync` writes
/// back what the one before left dirty, and then the run waits `settle`: on a VM whose balloon
/// reports free pages (these machines), memory freed by deleting the last copy is handed back to
/// the hypervisor about two seconds later, and a copy that starts before that reuses it and runs
/// about 2.5 times faster than one that starts after; without the wait, that race, not the side,
/// decides a round. A 1 MiB source of the same kind, timed the same way, shows the fixed cost of
/// an import, which does not grow with the file.
struct ImportBench {
    let joist: DaemonHarness
    let client: BenchClient
    /// A folder on the state directory's file system for the sources and qemu-img's copies.
    let folder: String
    let rounds: Int
    /// The source's size in MiB.
    let mebibytes: Int
    /// `raw`, or another format qemu-img writes (`vmdk`), which the random raw file is converted to once.
    let sourceFormat: String
    /// The wait before every timed copy of the large source (see above).
    let settle: Duration

    enum Side: CaseIterable {
        case cli, api, qemuImg
    }

    /// Seconds per round of each side.
    struct Times: Codable {
        /// `joist volume import default SOURCE --name N`, until the CLI has seen the operation end
        /// (CLI start-up, probing the file and the API included).
        var cli: [Double] = []
        /// `POST /1.0/storage-pools/default/volumes/N/import` `{"path": SOURCE}`, then
        /// `GET /1.0/operations/ID/wait` until it succeeded.
        var api: [Double] = []
        /// `qemu-img convert -f FORMAT -O qcow2 SOURCE DEST`.
        var qemuImg: [Double] = []

        subscript(side: Side) -> [Double] {
            get {
                switch side {
                case .cli: cli
                case .api: api
                case .qemuImg: qemuImg
                }
            }
            set {
                switch side {
                case .cli: cli = newValue
                case .api: api = newValue
                case .qemuImg: qemuImg = newValue
                }
            }
        }
    }

    struct Result: Codable {
        var rounds: Int
        var sourceFormat: String
        /// The source's virtual size, which every rate is of.
        var sourceBytes: UInt64
        var seconds: Times
        /// The 1 MiB source's times: the fixed cost of each side.
        var smallSeconds: Times
        /// The wait before every copy of the large source.
        var settleSeconds: Double

        /// The median rate of `side`, in MiB/s.
        func medianMiBPerSecond(_ side: Side) -> Double {
            JoistBench.median(seconds[side].map { Double(sourceBytes) / 1_048_576 / $0 })
        }
    }

    func run() async throws -> Result {
        let source = try await makeSource(named: "source", mebibytes: mebibytes)
        let small = try await makeSource(named: "small", mebibytes: 1)
        // One untimed pass of each side: the first conversion pays for warming caches.
        for side in Side.allCases { _ = try await measure(side, source, name: "warm-up", settle: settle) }
        var large = Times()
        var fixed = Times()
        for round in 0..<rounds {
            // Rotated, so each side goes first, second and third equally often.
            let order = (0..<Side.allCases.count).map { Side.allCases[($0 + round) % Side.allCases.count] }
            for side in order { large[side].append(try await measure(side, source, name: "import-\(round)", settle: settle)) }
            for side in order { fixed[side].append(try await measure(side, small, name: "small-\(round)", settle: .zero)) }
            progress(
                "B10 round \(round + 1)/\(rounds): joist CLI \(seconds(large.cli)) s, API \(seconds(large.api)) s, "
                    + "qemu-img \(seconds(large.qemuImg)) s; 1 MiB: CLI \(millis(fixed.cli.last ?? .nan)) ms, "
                    + "API \(millis(fixed.api.last ?? .nan)) ms, qemu-img \(millis(fixed.qemuImg.last ?? .nan)) ms")
        }
        for file in [source, small] { try FileManager.default.removeItem(atPath: file) }
        return Result(
            rounds: rounds, sourceFormat: sourceFormat, sourceBytes: UInt64(mebibytes) << 20, seconds: large, smallSeconds: fixed,
            settleSeconds: settle.seconds)
    }

    /// Seconds of one import or conversion of `source`; what it made is removed afterwards (untimed).
    private func measure(_ side: Side, _ source: String, name: String, settle: Duration) async throws -> Double {
        try await HostTools.sync()
        try await Task.sleep(for: settle)
        switch side {
        case .cli:
            let seconds = try await timed { try await HostTools.cli(joist, ["volume", "import", "default", source, "--name", name]) }
            try await HostTools.cli(joist, ["volume", "delete", "default", name])
            return seconds
        case .api:
            let path = "/1.0/storage-pools/default/volumes/\(name)"
            let seconds = try await timed {
                let operation = try await client.send(
                    .POST, path + "/import", json: StorageVolumeImport(path: source), expect: .accepted, as: JoistAPI.Operation.self)
                try await client.waitForSuccess(operation, context: "POST \(path)/import")
            }
            try await client.send(.DELETE, path, expect: .noContent)
            return seconds
        case .qemuImg:
            let destination = folder + "/\(name).qcow2"
            let seconds = try await HostTools.timedRun(
                HostTools.qemuImg, ["convert", "-f", sourceFormat, "-O", "qcow2", source, destination])
            try FileManager.default.removeItem(atPath: destination)
            return seconds
        }
    }

    /// `mebibytes` of random bytes as a raw file, converted to `sourceFormat` unless that is raw.
    private func makeSource(named name: String, mebibytes: Int) async throws -> String {
        let raw = folder + "/\(name).raw"
        progress("B10: writing \(mebibytes) MiB of random bytes")
        try await HostTools.run("/bin/dd", ["if=/dev/urandom", "of=\(raw)", "bs=1M", "count=\(mebibytes)", "iflag=fullblock", "status=none"])
        guard sourceFormat != "raw" else { return raw }
        let converted = folder + "/\(name).\(sourceFormat)"
        try await HostTools.run(HostTools.qemuImg, ["convert", "-f", "raw", "-O", sourceFormat, raw, converted])
        try FileManager.default.removeItem(atPath: raw)
        return converted
    }

    private func seconds(_ values: [Double]) -> String { String(format: "%.2f", values.last ?? .nan) }
}
