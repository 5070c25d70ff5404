public import JoistCore

/// Answers whether KVM really runs guests on this host.
public protocol KVMProbe: Sendable {
    func kvmRunsGuests() async -> Bool
}

/// Resolves an instance's `accel` setting to the accelerator QEMU is started with.
///
/// `auto` asks the probe once and remembers the answer for the daemon's lifetime: a host whose
/// `/dev/kvm` opens may still hang KVM guests (nested virtualization), so only a guest that was seen
/// to run counts.
public actor AcceleratorResolver {
    private let probe: any KVMProbe
    private var cached: Bool?

    public init(probe: any KVMProbe) {
        self.probe = probe
    }

    public func resolve(_ mode: AccelMode) async throws -> Accelerator {
        switch mode {
        case .tcg:
            return .tcg
        case .kvm:
            guard await kvmUsable() else {
                throw JoistError(.unsupported, "KVM does not run guests on this host (see `accel: auto`); use --accel tcg or auto")
            }
            return .kvm
        case .auto:
            return await kvmUsable() ? .kvm : .tcg
        }
    }

    /// The probe's cached answer, probing on first use.
    public func kvmUsable() async -> Bool {
        if let cached { return cached }
        let answer = await probe.kvmRunsGuests()
        cached = answer
        return answer
    }
}
