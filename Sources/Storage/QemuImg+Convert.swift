import Foundation
import HostKit
import JoistCore
import Synchronization

extension QemuImg {
    /// Copies an image into a new file in another (or the same) format, reporting progress.
    ///
    /// Maps to `qemu-img convert -p`. The copy is written under a temporary name beside `destination`
    /// and renamed into place when complete, so `destination` never holds a partial image: a failed or
    /// cancelled convert removes its temporary. Refuses (`alreadyExists`) when `destination` exists,
    /// unless `replacing`, when the finished copy takes its place in one rename. A backing chain is
    /// flattened: the copy stands alone.
    public func convert(
        from source: String, sourceFormat: ImageFileFormat, to destination: String, format: ImageFileFormat,
        replacing: Bool = false, progress: ProgressHandler? = nil
    ) async throws {
        guard replacing || !Filesystem.exists(destination) else {
            throw JoistError.alreadyExists("cannot write \(destination): a file exists there already")
        }
        let url = URL(fileURLWithPath: destination)
        let temporary = url.deletingLastPathComponent().appending(path: TemporaryName.make(for: url.lastPathComponent)).path
        let arguments =
            ["convert", "-p", "-f", sourceFormat.rawValue, "-O", format.rawValue] + Self.options(format.creationOptions)
            + [source, temporary]
        let onStdout: (@Sendable ([UInt8]) -> Void)? = progress.map { handler in
            let relay = ProgressRelay(handler)
            return { relay.consume($0) }
        }
        do {
            try await command(arguments).check("qemu-img convert", onStdout: onStdout)
            if replacing {
                try Filesystem.renameReplacing(temporary, to: destination, what: "image \(destination)")
            } else {
                try Filesystem.renameNoReplace(temporary, to: destination, what: "image \(destination)")
            }
        } catch {
            try? Filesystem.remove(temporary)
            throw error
        }
    }
}

/// Feeds qemu-img's progress output, chunk by chunk, to a `ProgressHandler`.
private final class ProgressRelay: Sendable {
    // A Mutex, though chunks arrive one at a time from the reading thread: the parser's state must be
    // Sendable to live in the reading closure.
    private let parser = Mutex(ConvertProgress())
    private let handler: ProgressHandler

    init(_ handler: @escaping ProgressHandler) {
        self.handler = handler
    }

    func consume(_ chunk: [UInt8]) {
        for fraction in parser.withLock({ $0.consume(chunk) }) {
            handler(fraction)
        }
    }
}
