import Foundation
import JoistCore
import Logging

/// Builds an image by running a `BuildPlan`'s steps, as root, one after the other, each checked.
///
/// However the build ends (finished, failed or cancelled) its work folder is released by
/// `BuildCleanup`: no mount, loop device or temporary is left, and on failure neither is the output.
public struct ImageBuilder: Sendable {
    /// Progress: the stage a step belongs to, and how many of the plan's steps are done out of all.
    public typealias Progress = @Sendable (_ stage: String, _ done: Int, _ total: Int) -> Void

    var tools: BuildTools
    var logger: Logger

    public init(tools: BuildTools = BuildTools(), logger: Logger) {
        self.tools = tools
        self.logger = logger
    }

    /// Builds `request` in `layout.folder` (which must not exist yet) into `layout.output`.
    public func build(_ request: BuildRequest, in layout: BuildLayout, progress: Progress? = nil) async throws {
        try BuildTools.checkInstalled()
        try await execute(try BuildPlan(request, layout: layout, rootUUID: UUID().uuidString.lowercased()), in: layout, progress: progress)
    }

    /// Runs `plan` in `layout`, then releases the layout's folder (and, on failure, the output).
    func execute(_ plan: BuildPlan, in layout: BuildLayout, progress: Progress? = nil) async throws {
        try makeFolder(layout.folder)
        let outcome: Result<Void, any Error>
        do {
            try await run(plan, progress: progress)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        // Released outside the (maybe cancelled) task, so cancelling the build cannot stop its cleanup.
        let cleanup = BuildCleanup(tools: tools)
        let released = await Task.detached { () -> (any Error)? in
            do {
                try await cleanup.release(layout.folder)
                return nil
            } catch {
                return error
            }
        }.value
        if case .failure = outcome { unlink(layout.output) }
        if let released {
            logger.error("image build: cannot release \(layout.folder): \(released)")
            if case .success = outcome { throw released }
        }
        try outcome.get()
    }

    private func run(_ plan: BuildPlan, progress: Progress?) async throws {
        for (index, step) in plan.steps.enumerated() {
            try Task.checkCancellation()
            progress?(step.stage, index, plan.steps.count)
            logger.debug("image build: \(step.action)")
            switch step.action {
            case .run(let argv, let input):
                try await tools.run(argv, input: input)
            case .write(let path, let contents, let mode):
                try Self.write(contents, to: path, mode: mode)
            case .remove(let path):
                guard unlink(path) == 0 || errno == ENOENT else {
                    throw JoistError.hostFailure("cannot remove \(path): \(String(cString: strerror(errno)))")
                }
            }
        }
        progress?("done", plan.steps.count, plan.steps.count)
    }

    private func makeFolder(_ path: String) throws {
        guard mkdir(path, 0o700) == 0 else {
            throw JoistError.hostFailure("cannot make the build folder \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Writes a file inside the installed system. An existing file (or a link) is removed first and
    /// the new one made with `O_EXCL | O_NOFOLLOW`, so a link in the image can never redirect the
    /// write onto a host file.
    static func write(_ contents: String, to path: String, mode: UInt16) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard unlink(path) == 0 || errno == ENOENT else {
            throw JoistError.hostFailure("cannot replace \(path): \(String(cString: strerror(errno)))")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else { throw JoistError.hostFailure("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard result > 0 else { throw JoistError.hostFailure("cannot write \(path): \(String(cString: strerror(errno)))") }
            written += result
        }
        // The mode again: open's is masked by the umask.
        guard fchmod(fd, mode_t(mode)) == 0 else { throw JoistError.hostFailure("cannot set the mode of \(path)") }
    }
}
