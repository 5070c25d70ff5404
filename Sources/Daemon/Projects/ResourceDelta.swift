import JoistAPI
public import JoistCore

/// A signed change in what a project holds; quotas are checked against usage plus the delta.
public struct ResourceDelta: Sendable, Equatable {
    public var instances: Int = 0
    public var cpus: Int = 0
    public var memory: Int64 = 0
    public var disk: Int64 = 0
    public var networks: Int = 0

    public init(instances: Int = 0, cpus: Int = 0, memory: Int64 = 0, disk: Int64 = 0, networks: Int = 0) {
        self.instances = instances
        self.cpus = cpus
        self.memory = memory
        self.disk = disk
        self.networks = networks
    }

    /// What one instance with this configuration counts for.
    public static func instance(_ spec: InstanceSpec) -> ResourceDelta {
        ResourceDelta(instances: 1, cpus: spec.cpus, memory: Int64(clamping: spec.memory.bytes))
    }

    public static prefix func - (delta: ResourceDelta) -> ResourceDelta {
        ResourceDelta(
            instances: -delta.instances, cpus: -delta.cpus, memory: -delta.memory, disk: -delta.disk,
            networks: -delta.networks)
    }

    public static func + (a: ResourceDelta, b: ResourceDelta) -> ResourceDelta {
        ResourceDelta(
            instances: a.instances + b.instances, cpus: a.cpus + b.cpus, memory: a.memory + b.memory,
            disk: a.disk + b.disk, networks: a.networks + b.networks)
    }

    public var isZero: Bool { self == ResourceDelta() }
}

extension ProjectUsage {
    /// The usage after `delta`, floored at zero.
    func applying(_ delta: ResourceDelta) -> ProjectUsage {
        ProjectUsage(
            instances: max(0, instances + delta.instances),
            cpus: max(0, cpus + delta.cpus),
            memory: ByteSize(bytes: UInt64(max(0, Int64(clamping: memory.bytes) + delta.memory))),
            disk: ByteSize(bytes: UInt64(max(0, Int64(clamping: disk.bytes) + delta.disk))),
            networks: max(0, networks + delta.networks))
    }

    /// Whether the project holds anything at all.
    var isEmpty: Bool { instances == 0 && networks == 0 && disk.bytes == 0 }
}

extension ProjectLimits {
    /// The first limit `usage` exceeds, in words, or nil when every limit holds.
    ///
    /// Only limits that `delta` grows are checked: a project over a lowered limit can still shrink.
    func violation(of usage: ProjectUsage, growing delta: ResourceDelta) -> String? {
        if delta.instances > 0, let limit = instances, usage.instances > limit {
            return "instances: \(usage.instances) of \(limit)"
        }
        if delta.cpus > 0, let limit = cpus, usage.cpus > limit { return "cpus: \(usage.cpus) of \(limit)" }
        if delta.memory > 0, let limit = memory, usage.memory > limit { return "memory: \(usage.memory) of \(limit)" }
        if delta.disk > 0, let limit = disk, usage.disk > limit { return "disk: \(usage.disk) of \(limit)" }
        if delta.networks > 0, let limit = networks, usage.networks > limit {
            return "networks: \(usage.networks) of \(limit)"
        }
        return nil
    }
}
