/// Whole-file copies into and out of the guest, a chunk per request (the agent's protocol carries
/// the bytes as base64 inside JSON lines, and qemu-ga refuses reads over 48 MiB).
extension GuestAgent {
    /// Bytes per `guest-file-read` or `guest-file-write`.
    public static var transferChunkSize: Int { 1 << 20 }

    /// Writes the bytes of `chunks` to `path` in the guest, with permissions `mode`; returns how many.
    ///
    /// The bytes go to a temporary file beside `path` (`.joist-tmp-<hex>-NAME`), which replaces
    /// `path` only once complete (`chmod` and `mv` run in the guest through `guest-exec`): a failed
    /// copy leaves whatever was at `path` untouched, and the temporary is removed.
    public func push<Chunks: AsyncSequence>(
        _ chunks: Chunks, to path: String, mode: Int, chunkSize: Int = Self.transferChunkSize, timeout: Duration = .seconds(30)
    ) async throws -> Int where Chunks.Element == [UInt8] {
        let temporary = GuestPath.temporary(beside: path)
        let handle = try await openFile(temporary, mode: "w")
        var total = 0
        do {
            var pending: [UInt8] = []
            for try await chunk in chunks {
                pending += chunk
                while pending.count >= chunkSize {
                    try await writeAll(Array(pending.prefix(chunkSize)), handle: handle)
                    pending.removeFirst(chunkSize)
                    total += chunkSize
                }
            }
            if !pending.isEmpty {
                try await writeAll(pending, handle: handle)
                total += pending.count
            }
            try await closeFile(handle: handle)
        } catch {
            try? await closeFile(handle: handle)
            await removeQuietly(temporary)
            throw error
        }
        let octal = String(mode, radix: 8)
        let finish = try GuestCommand(command: ["/bin/sh", "-c", #"chmod "$1" "$2" && mv -f "$2" "$3""#, "sh", octal, temporary, path])
        let status: GuestExecStatus
        do {
            status = try await run(finish, timeout: timeout)
        } catch {
            await removeQuietly(temporary)
            throw error
        }
        guard status.exitCode == 0 else {
            await removeQuietly(temporary)
            throw GuestFileError.finishFailed(path: path, detail: String(decoding: status.stderr, as: UTF8.self))
        }
        return total
    }

    /// Reads `path` in the guest a chunk at a time, handing each chunk to `body`; returns how many
    /// bytes it read. `opened` runs once the first read worked, before the first chunk goes to `body`,
    /// so a path that cannot be read (missing, a directory) fails before anything is handed on.
    public func pull(
        _ path: String, chunkSize: Int = Self.transferChunkSize, opened: () -> Void = {}, into body: ([UInt8]) async throws -> Void
    ) async throws -> Int {
        let handle = try await openFile(path, mode: "r")
        var total = 0
        do {
            var first = true
            while true {
                let (bytes, eof) = try await readFile(handle: handle, count: chunkSize)
                if first {
                    opened()
                    first = false
                }
                if !bytes.isEmpty { try await body(bytes) }
                total += bytes.count
                if eof || bytes.isEmpty { break }
            }
        } catch {
            try? await closeFile(handle: handle)
            throw error
        }
        try await closeFile(handle: handle)
        return total
    }

    private func writeAll(_ bytes: [UInt8], handle: Int) async throws {
        var rest = bytes[...]
        while !rest.isEmpty {
            let written = try await writeFile(handle: handle, bytes: Array(rest))
            guard written > 0 else { throw GuestFileError.shortWrite }
            rest = rest.dropFirst(written)
        }
    }

    private func removeQuietly(_ path: String) async {
        guard let remove = try? GuestCommand(command: ["rm", "-f", "--", path]) else { return }
        _ = try? await run(remove, timeout: .seconds(10))
    }
}

/// Guest file paths as Joist accepts them.
public enum GuestPath {
    /// Checks that `path` is absolute, names a file (not `/` or a path ending in `/`), and has no NUL
    /// byte or `.`/`..` component (which would make it mean something else than it reads).
    public static func validate(_ path: String) throws(GuestFileError) {
        guard path.hasPrefix("/"), !path.hasSuffix("/") else { throw .badPath(path, "it must be an absolute path to a file") }
        guard !path.contains("\0") else { throw .badPath(path, "it holds a NUL byte") }
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !components.contains(where: { $0 == "." || $0 == ".." }) else { throw .badPath(path, "it has a . or .. component") }
    }

    /// A fresh temporary name in the folder of `path`.
    static func temporary(beside path: String) -> String {
        let slash = path.lastIndex(of: "/") ?? path.startIndex
        let random = String(UInt64.random(in: .min ... .max), radix: 16)
        return String(path[..<slash]) + "/.joist-tmp-" + random + "-" + String(path[path.index(after: slash)...])
    }
}

/// Why a file copy to or from the guest failed, beyond the agent's own errors.
public enum GuestFileError: Error, Sendable, Hashable, CustomStringConvertible {
    case badPath(String, String)
    case shortWrite
    case finishFailed(path: String, detail: String)

    public var description: String {
        switch self {
        case .badPath(let path, let why): "'\(path)' is not a usable guest path: \(why)"
        case .shortWrite: "the guest agent wrote nothing of a chunk (is the guest's disk full?)"
        case .finishFailed(let path, let detail): "cannot put the copied file in place at \(path) in the guest: \(detail)"
        }
    }
}
