import Foundation
import JoistTesting

/// TCP throughput of the same two test guests over a Joist `nat` network and over QEMU's user-mode
/// networking. Each guest has one NIC of each kind (`--nic network=bench,ip=… --nic user`), so both
/// sides run on the very same guests, and every measurement is interleaved, alternating which side
/// goes first.
///
/// - guest → host: the sender pipes `dd if=/dev/zero` into `nc` to a byte sink on the host side (in
///   the daemon's network namespace): at the network's gateway, or at 10.0.2.2, which user-mode
///   networking maps to the host's loopback.
/// - guest → guest: to the receiver's `nc -l`: directly at its address on the network; with user-mode
///   networking, guests cannot see each other, so through a host port forward on the receiver's user
///   NIC (sender → 10.0.2.2:PORT → QEMU's hostfwd → receiver), the only path it offers.
///
/// Each transfer is timed in the sender with busybox `time`, from `nc`'s connect until it has sent
/// everything and the other end has closed; the receiving end counts the bytes, and a transfer that
/// does not deliver all of them stops the benchmark.
struct ThroughputBench {
    let joist: DaemonHarness
    let guest: TestGuest
    /// A folder in the state directory for the sink's report.
    let folder: String
    let rounds: Int
    /// MiB per timed transfer.
    let mebibytes: Int

    enum Path: String, Codable, CaseIterable {
        case natToHost, userToHost, natToGuest, userToGuest

        var label: String {
            switch self {
            case .natToHost: "NAT network, guest → gateway"
            case .userToHost: "user-mode, guest → 10.0.2.2 (host loopback)"
            case .natToGuest: "NAT network, guest → guest directly"
            case .userToGuest: "user-mode, guest → 10.0.2.2 → hostfwd → guest"
            }
        }
    }

    struct Transfer: Codable {
        var bytes: Int
        /// `time`'s real seconds in the sender.
        var seconds: Double
        /// The sender's `user` + `sys` seconds (the guest's own CPU, emulated).
        var guestCPUSeconds: Double
        /// Host CPU seconds of both guests' QEMU vCPU threads during the transfer.
        var qemuVCPUSeconds: Double
        /// Host CPU seconds of both QEMUs' other threads: what the network backend costs the host.
        var qemuOtherSeconds: Double
        /// Seconds from accept to end of data at the host sink (guest → host only).
        var sinkSeconds: Double?

        var mebibytesPerSecond: Double { Double(bytes) / 1_048_576 / seconds }
    }

    struct Result: Codable {
        var rounds: Int
        var mebibytes: Int
        /// By `Path.rawValue`, one per round.
        var transfers: [String: [Transfer]]

        func series(_ path: Path) -> [Transfer] { transfers[path.rawValue] ?? [] }
    }

    static let network = "bench"
    static let subnetPrefix = "10.66.0"
    static let sinkPort: UInt16 = 7001
    static let guestPort = 5001
    static let forwardedPort = 6001

    func run() async throws -> Result {
        try await HostTools.cli(joist, ["network", "create", Self.network, "--type", "nat", "--subnet", "\(Self.subnetPrefix).0/24"])
        let sender = try await boot("sender", address: "\(Self.subnetPrefix).11", forward: false)
        let receiver = try await boot("receiver", address: "\(Self.subnetPrefix).12", forward: true)
        let sink = try await SinkProcess(port: Self.sinkPort, folder: folder, inNetwork: joist.inNetwork)
        do {
            let result = try await measure(Runner(joist: joist, sender: sender, receiver: receiver, sink: sink))
            await sink.stop()
            await sender.close()
            await receiver.close()
            for name in ["sender", "receiver"] { try await HostTools.cli(joist, ["delete", "--force", name]) }
            try await HostTools.cli(joist, ["network", "delete", Self.network])
            return result
        } catch {
            // The harness ends the guests and the namespace with everything in it.
            await sink.stop()
            throw error
        }
    }

    /// The untimed warm-up and the interleaved rounds.
    private func measure(_ runner: Runner) async throws -> Result {
        // One untimed MiB on every path: checks each works, and warms what a first transfer pays for.
        for path in Path.allCases { _ = try await runner.transfer(path, mebibytes: 1) }
        var transfers: [String: [Transfer]] = [:]
        for round in 0..<rounds {
            for pair in [[Path.natToHost, .userToHost], [.natToGuest, .userToGuest]] {
                for path in round % 2 == 0 ? pair : pair.reversed() {
                    let transfer = try await runner.transfer(path, mebibytes: mebibytes)
                    transfers[path.rawValue, default: []].append(transfer)
                    progress(
                        "network round \(round + 1)/\(rounds), \(path.label): \(mebibytes) MiB in \(String(format: "%.2f", transfer.seconds)) s "
                            + "(\(String(format: "%.2f", transfer.mebibytesPerSecond)) MiB/s; guest CPU \(String(format: "%.2f", transfer.guestCPUSeconds)) s, "
                            + "QEMU vCPUs \(String(format: "%.2f", transfer.qemuVCPUSeconds)) s, "
                            + "other threads \(String(format: "%.2f", transfer.qemuOtherSeconds)) s)")
                }
            }
        }
        return Result(rounds: rounds, mebibytes: mebibytes, transfers: transfers)
    }

    /// Starts a test guest with a NIC on the network (eth0, at `address`) and a user-mode NIC (eth1,
    /// forwarding the host's `forwardedPort` to its `guestPort` when `forward`), and configures both.
    private func boot(_ name: String, address: String, forward: Bool) async throws -> GuestShell {
        let user = forward ? "user,hostfwd=tcp:127.0.0.1:\(Self.forwardedPort)-:\(Self.guestPort)" : "user"
        try await joist.createGuest(
            name, guest: guest, extra: ["--nic", "network=\(Self.network),ip=\(address)", "--nic", user])
        try await HostTools.cli(joist, ["start", name])
        let shell = try GuestShell(joist: joist, instance: name)
        guard try await joist.waitForConsole(name, containing: TestGuest.readyMarker) else {
            throw BenchError("guest \(name) did not boot: \(joist.daemonLog().suffix(2000))")
        }
        let onNetwork = try await shell.lease("eth0")
        let onUser = try await shell.lease("eth1")
        guard onNetwork == address, onUser.hasPrefix("10.0.2.") else {
            throw BenchError("guest \(name) has eth0 \(onNetwork) (expected \(address)) and eth1 \(onUser) (expected 10.0.2.x)")
        }
        progress("network: guest \(name) has \(onNetwork) on network \(Self.network) and \(onUser) on its user-mode NIC")
        return shell
    }
}

extension ThroughputBench {
    /// Runs one transfer on a path and checks it delivered every byte.
    struct Runner {
        let joist: DaemonHarness
        let sender: GuestShell
        let receiver: GuestShell
        let sink: SinkProcess

        func transfer(_ path: Path, mebibytes: Int) async throws -> Transfer {
            let bytes = mebibytes << 20
            let destination: String
            switch path {
            case .natToHost: destination = "\(subnetPrefix).1 \(sinkPort)"
            case .userToHost: destination = "10.0.2.2 \(sinkPort)"
            case .natToGuest: destination = "\(subnetPrefix).12 \(guestPort)"
            case .userToGuest: destination = "10.0.2.2 \(forwardedPort)"
            }
            let toGuest = path == .natToGuest || path == .userToGuest
            let listen = "nc -l -p \(guestPort) | wc -c | sed 's/^/W:/;s/$/:W/'"
            if toGuest {
                // Give the listener time to start: it has nothing to say until the data has arrived.
                receiver.send(listen)
                try await Task.sleep(for: .milliseconds(500))
            } else {
                try await Task.sleep(for: .milliseconds(200))
            }
            let before = try QEMUThreadCPU.of(joist.qemuPIDs())
            let command =
                "T=$(time -p sh -c 'dd if=/dev/zero bs=65536 count=\(mebibytes * 16) 2>/dev/null | nc \(destination); echo rc$?' 2>&1 | tr '\\n' ' '); "
                + "echo \"X:$T:Y\""
            let timeout = Duration.seconds(max(120, mebibytes * 30))
            let answer = try await sender.run(command, answer: try Regex(#"X:([^$]*?):Y"#), timeout: timeout)[0]
            let qemuCPU = try QEMUThreadCPU.of(joist.qemuPIDs()) - before
            let timing = try Timing(answer, path: path)
            var transfer = Transfer(
                bytes: bytes, seconds: timing.real, guestCPUSeconds: timing.user + timing.sys,
                qemuVCPUSeconds: qemuCPU.vCPUSeconds, qemuOtherSeconds: qemuCPU.otherSeconds)
            let received: Int
            if toGuest {
                received = Int(try await receiver.wait(for: try Regex(#"W:(\d+):W"#), timeout: .seconds(60), after: listen)[0]) ?? -1
            } else {
                let end = try await sink.nextTransfer(timeout: .seconds(60))
                received = end.bytes
                transfer.sinkSeconds = end.seconds
            }
            guard received == bytes else {
                throw BenchError("\(path.label): sent \(bytes) bytes, \(received) arrived")
            }
            return transfer
        }
    }
}

extension ThroughputBench {
    /// busybox `time -p`'s report, after the pipeline's `rc$?`: `rc0 real 2.31 user 0.10 sys 2.05`.
    struct Timing {
        var real: Double
        var user: Double
        var sys: Double

        init(_ text: String, path: Path) throws {
            let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
            func value(after key: String) -> Double? {
                words.firstIndex(of: key).flatMap { words.index(after: $0) < words.endIndex ? Double(words[$0 + 1]) : nil }
            }
            guard words.contains("rc0"), let real = value(after: "real"), let user = value(after: "user"), let sys = value(after: "sys"),
                real > 0
            else { throw BenchError("\(path.label): the transfer failed: \(text)") }
            self.real = real
            self.user = user
            self.sys = sys
        }
    }
}
