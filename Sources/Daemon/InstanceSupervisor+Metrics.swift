import Foundation
import JoistCore
import Networking
import QMP

/// What the metrics sampler needs to read a running guest's counters: its QEMU's pid, its QMP
/// connection and its taps.
struct MetricsSource: Sendable {
    var pid: Int32
    var qmp: QMPClient?
    /// The tap device of each network NIC.
    var taps: [String]
}

extension InstanceSupervisor {
    /// The guest's QEMU to sample, while one runs (running or paused); nil otherwise. Reads state
    /// only: it never waits for the operation lock, so sampling never holds up a start or a stop.
    func metricsSource() -> MetricsSource? {
        guard lifecycle.state == .running || lifecycle.state == .paused, let pid = record.runtime?.pid else { return nil }
        let taps = record.spec.nics.enumerated().compactMap { index, nic in
            nic.mode == .network ? LinkNames.tap(for: NICIdentity(project: key.project, instance: name, index: nic.id ?? index)) : nil
        }
        return MetricsSource(pid: pid, qmp: qmp, taps: taps)
    }
}
