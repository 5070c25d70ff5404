import Foundation
public import JoistCore

/// `GET /1.0/resources`: what the host has and how much of it is in use, for dashboards and
/// monitoring.
public struct ServerResources: Codable, Sendable, Equatable {
    public struct CPU: Codable, Sendable, Equatable {
        /// CPUs joistd may run on (what `nproc` says).
        public var count: Int
        /// Percent of all CPUs busy over the metrics sampler's last interval (/proc/stat); nil until
        /// the sampler has read twice.
        public var usagePercent: Double?
        /// Run-queue load averages over 1, 5 and 15 minutes.
        public var loadAverage: LoadAverage

        public init(count: Int, usagePercent: Double?, loadAverage: LoadAverage) {
            self.count = count
            self.usagePercent = usagePercent
            self.loadAverage = loadAverage
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(count, forKey: .count)
            try container.encode(usagePercent, forKey: .usagePercent)
            try container.encode(loadAverage, forKey: .loadAverage)
        }
    }

    public struct LoadAverage: Codable, Sendable, Equatable {
        public var one: Double
        public var five: Double
        public var fifteen: Double

        public init(one: Double, five: Double, fifteen: Double) {
            self.one = one
            self.five = five
            self.fifteen = fifteen
        }
    }

    /// From /proc/meminfo; `used` is total less available.
    public struct Memory: Codable, Sendable, Equatable {
        public var totalBytes: UInt64
        /// What new programs could use without swapping (`MemAvailable`).
        public var availableBytes: UInt64
        public var usedBytes: UInt64

        public init(totalBytes: UInt64, availableBytes: UInt64, usedBytes: UInt64) {
            self.totalBytes = totalBytes
            self.availableBytes = availableBytes
            self.usedBytes = usedBytes
        }
    }

    /// The file system holding a storage pool's folder (`statvfs`). A pool whose file system
    /// cannot be read (unmounted) shows zeros.
    public struct StoragePoolSpace: Codable, Sendable, Equatable {
        public var name: String
        public var driver: StorageDriverKind
        public var totalBytes: UInt64
        public var usedBytes: UInt64
        /// What may still be written (for unprivileged use, as `df` shows it).
        public var availableBytes: UInt64

        public init(name: String, driver: StorageDriverKind, totalBytes: UInt64, usedBytes: UInt64, availableBytes: UInt64) {
            self.name = name
            self.driver = driver
            self.totalBytes = totalBytes
            self.usedBytes = usedBytes
            self.availableBytes = availableBytes
        }
    }

    public var cpu: CPU
    public var memory: Memory
    /// Every storage pool, by name.
    public var storagePools: [StoragePoolSpace]
    /// Seconds since the host booted.
    public var uptimeSeconds: Double

    public init(cpu: CPU, memory: Memory, storagePools: [StoragePoolSpace], uptimeSeconds: Double) {
        self.cpu = cpu
        self.memory = memory
        self.storagePools = storagePools
        self.uptimeSeconds = uptimeSeconds
    }
}

/// `GET /1.0/instances/{name}/metrics`: an instance's samples of the last hour, oldest first.
public struct InstanceMetrics: Codable, Sendable, Equatable {
    /// Seconds between samples; a longer step between two samples is a gap (the instance was
    /// stopped, or joistd was not running).
    public var intervalSeconds: Double
    public var samples: [InstanceMetricSample]

    public init(intervalSeconds: Double, samples: [InstanceMetricSample]) {
        self.intervalSeconds = intervalSeconds
        self.samples = samples
    }
}

/// One sample of an instance. Rates are per second over the interval before `time`; a field is
/// null when it is unknown: the first sample after a start, a counter that went back, a figure
/// QEMU was too busy to give, or no tap NIC (user-mode networking has no counters).
public struct InstanceMetricSample: Codable, Sendable, Equatable {
    public var time: Date
    /// CPU time of the instance's QEMU in percent of one host core (above 100 when several vCPUs
    /// are busy).
    public var cpuPercent: Double?
    /// Resident memory of the instance's QEMU (VmRSS): guest RAM it has touched plus QEMU itself.
    public var memoryBytes: UInt64?
    /// Bytes read from and written to all of the instance's drives, per second.
    public var diskReadBytesPerSecond: Double?
    public var diskWriteBytesPerSecond: Double?
    /// Bytes per second through the instance's tap NICs, as the guest sees them: receive is what
    /// reached the guest, transmit what it sent.
    public var networkReceiveBytesPerSecond: Double?
    public var networkTransmitBytesPerSecond: Double?

    public init(
        time: Date, cpuPercent: Double? = nil, memoryBytes: UInt64? = nil, diskReadBytesPerSecond: Double? = nil,
        diskWriteBytesPerSecond: Double? = nil, networkReceiveBytesPerSecond: Double? = nil, networkTransmitBytesPerSecond: Double? = nil
    ) {
        self.time = time
        self.cpuPercent = cpuPercent
        self.memoryBytes = memoryBytes
        self.diskReadBytesPerSecond = diskReadBytesPerSecond
        self.diskWriteBytesPerSecond = diskWriteBytesPerSecond
        self.networkReceiveBytesPerSecond = networkReceiveBytesPerSecond
        self.networkTransmitBytesPerSecond = networkTransmitBytesPerSecond
    }

    /// Unknown fields are written as null, not left out, so every sample has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(time, forKey: .time)
        try container.encode(cpuPercent, forKey: .cpuPercent)
        try container.encode(memoryBytes, forKey: .memoryBytes)
        try container.encode(diskReadBytesPerSecond, forKey: .diskReadBytesPerSecond)
        try container.encode(diskWriteBytesPerSecond, forKey: .diskWriteBytesPerSecond)
        try container.encode(networkReceiveBytesPerSecond, forKey: .networkReceiveBytesPerSecond)
        try container.encode(networkTransmitBytesPerSecond, forKey: .networkTransmitBytesPerSecond)
    }
}
