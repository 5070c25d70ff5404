public import JoistAPI
import Foundation
import HostKit
import HostMetrics

extension MetricsSampler {
    /// The host's CPUs, memory, storage pools' file systems and uptime, read now; CPU use is the
    /// sampler's figure for its last interval.
    public func resources() async -> ServerResources {
        let memory = KernelFile.text("/proc/meminfo").flatMap(HostMemory.parse(meminfo:)) ?? HostMemory(totalBytes: 0, availableBytes: 0)
        let load = KernelFile.text("/proc/loadavg").flatMap(LoadAverages.parse(loadavg:)) ?? LoadAverages(one: 0, five: 0, fifteen: 0)
        let pools = await storage.poolFolders().map { pool in
            let usage = ProcFiles.filesystemUsage(pool.path) ?? (0, 0, 0)
            return ServerResources.StoragePoolSpace(
                name: pool.name, driver: pool.driver, totalBytes: usage.total, usedBytes: usage.used, availableBytes: usage.available)
        }
        return ServerResources(
            cpu: .init(
                count: ProcessInfo.processInfo.activeProcessorCount, usagePercent: hostCPUPercent,
                loadAverage: .init(one: load.one, five: load.five, fifteen: load.fifteen)),
            memory: .init(totalBytes: memory.totalBytes, availableBytes: memory.availableBytes, usedBytes: memory.usedBytes),
            storagePools: pools,
            uptimeSeconds: KernelFile.text("/proc/uptime").flatMap(HostUptime.parse(uptime:)) ?? 0)
    }
}
