import Foundation
import JoistAPI
import JoistCore
import JoistTesting
import Synchronization

/// B7: latency of `GET /1.0/instances/NAME` while ten operations run, against the same probe with the
/// daemon idle, in interleaved windows.
///
/// Two loads, each from ten clients that wait for every operation they start:
/// - `guests`: each client cycles one test guest through start and forced stop, so about ten
///   operations are always in flight (a start lasts until QEMU is up and continued). On a small
///   TCG machine the QEMU processes themselves take most of the CPU.
/// - `churn`: each client creates and deletes stopped instances: the daemon's own work, no QEMU;
///   its delete operations are short, so fewer are seen running at once.
struct LoadBench {
    enum Load: String, Codable {
        /// Ten test guests started and force-stopped over and over.
        case guests
        /// Ten clients creating and deleting stopped instances (no test guest).
        case churn
    }

    /// The load's clients.
    let client: BenchClient
    /// The probe's and the sampler's own client, so they never queue behind the load's connections.
    let probe: BenchClient
    let kernel: String
    let load: Load
    /// The test guest, needed by the `guests` load.
    let guest: TestGuest?
    let rounds: Int
    static let operations = 10
    static let loadedWindow: Duration = .seconds(4)
    static let idleWindow: Duration = .seconds(2)
    /// One probe request every interval (skipped ticks when a request is slower).
    static let probeInterval: Duration = .milliseconds(10)
    static let sampleInterval: Duration = .milliseconds(100)

    struct Latency: Codable {
        var requests: Int
        var p50: Double
        var p99: Double
        var max: Double
        init(_ samples: Samples) {
            requests = samples.count
            p50 = samples.p50
            p99 = samples.p99
            max = samples.max
        }
    }

    struct Result: Codable {
        var load: Load
        var rounds: Int
        var idle: Latency
        var loaded: Latency
        /// Each sample of `GET /1.0/operations?status=running` taken during the loaded windows.
        var runningObserved: [Int]
        /// Operations the load completed per second during the loaded windows.
        var operationsPerSecond: Double
    }

    private var targets: [String] { (0..<Self.operations).map { "x\($0)" } }

    func run() async throws -> Result {
        if load == .guests && guest == nil { throw BenchError("the guests load needs the test guest") }
        try await createTargets()
        var idle = Samples()
        var loaded = Samples()
        var running: [Int] = []
        var completed = 0
        for round in 0..<rounds {
            for isLoaded in round % 2 == 0 ? [false, true] : [true, false] {
                let window = try await measure(loaded: isLoaded)
                if isLoaded {
                    loaded.append(contentsOf: window.latencies)
                    running += window.running
                    completed += window.completed
                } else {
                    idle.append(contentsOf: window.latencies)
                }
                progress(
                    "B7 (\(load.rawValue)) round \(round + 1)/\(rounds), \(isLoaded ? "loaded" : "idle"): p50 \(millis(window.latencies.p50)) ms, p99 \(millis(window.latencies.p99)) ms, running operations seen \(window.running.min() ?? 0)…\(window.running.max() ?? 0), \(window.completed) operations done")
            }
        }
        for name in targets { try await client.deleteInstance(name, force: true) }
        return Result(
            load: load, rounds: rounds, idle: Latency(idle), loaded: Latency(loaded), runningObserved: running,
            operationsPerSecond: Double(completed) / (Double(rounds) * Self.loadedWindow.seconds))
    }

    /// The instances the probe reads (and, with the test guest, the load starts and stops).
    private func createTargets() async throws {
        for name in targets {
            if load == .guests, let guest {
                try await client.createInstance(
                    InstanceCreate(
                        name: name, kernel: guest.kernel, initrd: guest.initrd, cmdline: TestGuest.cmdline,
                        memory: "128MiB", accel: .tcg))
            } else {
                try await client.createInstance(ControlPlaneBench.stopped(name, kernel: kernel))
            }
        }
    }

    /// One window: probe latencies, the running-operation counts seen, and the operations completed.
    private func measure(loaded: Bool) async throws -> (latencies: Samples, running: [Int], completed: Int) {
        let stop = Flag()
        let done = Counter()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            defer { stop.set() }
            if loaded {
                for worker in 0..<Self.operations {
                    group.addTask { try await drive(worker, until: stop, done: done) }
                }
                // Let all ten get going before measuring.
                try await Task.sleep(for: .milliseconds(500))
            }
            let before = done.value
            async let running = sampleRunning(for: loaded ? Self.loadedWindow : Self.idleWindow)
            let latencies = try await probeInstances(for: loaded ? Self.loadedWindow : Self.idleWindow)
            let counts = try await running
            let completed = done.value - before
            stop.set()
            try await group.waitForAll()
            return (latencies, counts, completed)
        }
    }

    /// One load client: cycles its instance (or fresh stopped instances) until told to stop, always
    /// leaving things as they were.
    private func drive(_ worker: Int, until stop: Flag, done: Counter) async throws {
        var cycle = 0
        while !stop.isSet {
            if load == .guests {
                try await client.changeState(targets[worker], InstanceStateChange(action: .start))
                done.increment()
                try await client.changeState(targets[worker], InstanceStateChange(action: .stop, force: true))
            } else {
                let name = "y\(worker)-\(cycle)"
                try await client.createInstance(ControlPlaneBench.stopped(name, kernel: kernel))
                try await client.deleteInstance(name)
            }
            done.increment()
            cycle += 1
        }
    }

    /// Paced `GET /1.0/instances/NAME` over the targets in turn; the latency of each.
    private func probeInstances(for window: Duration) async throws -> Samples {
        let clock = ContinuousClock()
        let start = clock.now
        let end = start + window
        var samples = Samples()
        var tick = start
        var index = 0
        while clock.now < end {
            let name = targets[index % targets.count]
            let sent = clock.now
            let answer = try await probe.send(.GET, "/1.0/instances/\(name)")
            samples.append((clock.now - sent).seconds)
            let instance = try BenchClient.decode(Instance.self, from: answer, context: "GET /1.0/instances/\(name)")
            guard instance.name == name else { throw BenchError("asked for \(name), got \(instance.name)") }
            index += 1
            tick += Self.probeInterval
            if tick < clock.now { tick = clock.now }
            try await clock.sleep(until: tick)
        }
        return samples
    }

    /// How many operations `GET /1.0/operations?status=running` lists, sampled through the window.
    private func sampleRunning(for window: Duration) async throws -> [Int] {
        let clock = ContinuousClock()
        let end = clock.now + window
        var counts: [Int] = []
        while clock.now < end {
            let page = try await probe.get("/1.0/operations?status=running&limit=10000", as: Page<JoistAPI.Operation>.self)
            guard page.items.allSatisfy({ $0.status == .running }) else {
                throw BenchError("GET /1.0/operations?status=running listed operations that are not running")
            }
            counts.append(page.items.count)
            try await clock.sleep(for: Self.sampleInterval)
        }
        return counts
    }
}

/// A one-way stop signal shared by concurrent tasks.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}

/// A count shared by concurrent tasks.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func increment() { count.add(1, ordering: .relaxed) }
}
