import Daemon
import ServiceLifecycle

/// Runs the metrics sampler beside the API servers, until the daemon shuts down.
struct MetricsSamplerService: Service {
    let sampler: MetricsSampler

    func run() async {
        await cancelWhenGracefulShutdown { await sampler.run() }
    }
}
