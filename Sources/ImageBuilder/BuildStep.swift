/// One checked step of a build: what it does, and the stage its progress shows.
public struct BuildStep: Sendable, Equatable {
    /// What progress reports while the step runs (`installing packages`, `converting`…).
    public var stage: String
    public var action: Action

    public init(_ stage: String, _ action: Action) {
        self.stage = stage
        self.action = action
    }

    public enum Action: Sendable, Equatable {
        /// Runs a host command, which must exit with status 0; `input` is a file read as its stdin.
        case run([Word], input: String? = nil)
        /// Writes a file (replacing it), making its folder.
        case write(path: String, contents: String, mode: UInt16)
        /// Removes a file if it is there.
        case remove(path: String)
        /// Attaches a file to a free loop device and adds its partitions' devices (`partx`): the
        /// device is the `loopDevice` of later steps.
        case attachLoop(file: String)
        /// Detaches the loop device attached before.
        case detachLoop
    }
}

/// A word of a command line: text, or the loop device a build attached (known only once it runs).
public enum Word: Sendable, Equatable, ExpressibleByStringLiteral {
    case text(String)
    /// `/dev/loopN`.
    case loopDevice
    /// `/dev/loopNp1`: the disk's one partition.
    case loopPartition

    public init(stringLiteral value: String) { self = .text(value) }

    /// The word with the loop device filled in; nil when it names the device and none is attached.
    public func resolved(loopDevice device: String?) -> String? {
        switch self {
        case .text(let text): return text
        case .loopDevice: return device
        case .loopPartition: return device.map { $0 + "p1" }
        }
    }
}

extension BuildStep.Action: CustomStringConvertible {
    /// The step as a log line shows it: a command line with `LOOP` for the device.
    public var description: String {
        switch self {
        case .run(let words, let input):
            let line = words.map { $0.resolved(loopDevice: "LOOP") ?? "" }.joined(separator: " ")
            return input.map { line + " < " + $0 } ?? line
        case .write(let path, _, let mode): return "write \(path) (mode \(String(mode, radix: 8)))"
        case .remove(let path): return "remove \(path)"
        case .attachLoop(let file): return "losetup --find --show --partscan \(file)"
        case .detachLoop: return "losetup --detach LOOP"
        }
    }
}
