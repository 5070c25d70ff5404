import Foundation

/// `joist-bench sink PORT FILE`: the host end of the guest-to-host transfers. Listens on TCP `PORT`
/// (every address) and, for each connection in turn, reads until the guest closes its side, counts
/// the bytes, closes, and appends `BYTES SECONDS` (from accept to end of data) to `FILE`. Writes
/// `listening` there first, so whoever started it knows when to send.
///
/// It runs as its own process so that `nsenter --net` can put it in the daemon's network namespace,
/// where the network's gateway address and user-mode networking's 10.0.2.2 (the namespace's
/// loopback) are.
enum ByteSink {
    static func run(_ arguments: [String]) throws -> Never {
        guard arguments.count == 2, let port = UInt16(arguments[0]) else {
            throw BenchError("usage: joist-bench sink PORT FILE")
        }
        let report = arguments[1]
        let listener = try listen(on: port)
        try append("listening\n", to: report)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                if errno == EINTR { continue }
                throw BenchError("sink: accept failed: \(String(cString: strerror(errno)))")
            }
            let start = ContinuousClock.now
            var bytes = 0
            while true {
                let count = read(connection, &buffer, buffer.count)
                if count > 0 {
                    bytes += count
                } else if count == 0 || errno != EINTR {
                    break
                }
            }
            let seconds = (ContinuousClock.now - start).seconds
            close(connection)
            try append("\(bytes) \(seconds)\n", to: report)
        }
    }

    /// A TCP socket listening on `0.0.0.0:port`.
    private static func listen(on port: UInt16) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw BenchError("sink: socket failed: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: INADDR_ANY)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(socket, 4) == 0 else {
            throw BenchError("sink: cannot listen on port \(port): \(String(cString: strerror(errno)))")
        }
        return socket
    }

    private static func append(_ line: String, to path: String) throws {
        guard let file = FileHandle(forWritingAtPath: path) else { throw BenchError("sink: cannot open \(path)") }
        defer { try? file.close() }
        try file.seekToEnd()
        try file.write(contentsOf: Data(line.utf8))
    }
}

/// The running sink, seen from the benchmark: started in the daemon's network namespace, its
/// reports read from the file it appends to.
final class SinkProcess: @unchecked Sendable {
    // @unchecked: used by the one benchmark task that made it.
    private let process = Process()
    private let reportPath: String
    /// Lines of the report already returned.
    private var consumed = 0

    /// Starts `joist-bench sink PORT` through `argv` (the daemon's `inNetwork`) and waits until it listens.
    init(port: UInt16, folder: String, inNetwork: ([String]) -> [String]) async throws {
        reportPath = folder + "/sink-\(port).txt"
        guard FileManager.default.createFile(atPath: reportPath, contents: nil) else {
            throw BenchError("cannot create \(reportPath)")
        }
        let argv = inNetwork([Self.ownExecutable, "sink", String(port), reportPath])
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.standardInput = FileHandle.nullDevice
        try process.run()
        guard try await nextLine(timeout: .seconds(10)) == "listening" else {
            await stop()
            throw BenchError("the byte sink on port \(port) did not start: \(lines())")
        }
    }

    /// The next connection's bytes and seconds, once the guest has closed it.
    func nextTransfer(timeout: Duration) async throws -> (bytes: Int, seconds: Double) {
        guard let line = try await nextLine(timeout: timeout) else {
            throw BenchError("the byte sink saw no transfer end within \(timeout)")
        }
        let fields = line.split(separator: " ")
        guard fields.count == 2, let bytes = Int(fields[0]), let seconds = Double(fields[1]) else {
            throw BenchError("the byte sink wrote '\(line)'")
        }
        return (bytes, seconds)
    }

    /// SIGKILL: the sink inherits this process's blocked signals (SIGTERM among them) and holds
    /// nothing to clean up. Polls rather than `waitUntilExit`, which does not return here.
    func stop() async {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    }

    private func lines() -> [String] {
        ((try? String(contentsOfFile: reportPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    private func nextLine(timeout: Duration) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let current = lines()
            if current.count > consumed {
                consumed += 1
                return current[consumed - 1]
            }
            guard process.isRunning else { throw BenchError("the byte sink exited: \(current)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    private static var ownExecutable: String {
        Bundle.main.executablePath ?? CommandLine.arguments[0]
    }
}
