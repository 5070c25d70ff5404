import Foundation
import HostKit
import JoistCore
import Testing

@testable import Networking

/// The kernel feature probe against the real kernel: what it reports must be what trying the same
/// thing by hand in a namespace of the test's own shows, on hosts with and without the features.
@Suite("VLANs: the host kernel's features, probed")
struct VLANProbeTests {
    @Test("the probe reports 802.1Q interfaces and bridge VLAN filtering exactly as the kernel answers them")
    func probeMatchesKernel() async throws {
        try await TestNamespace.with { namespaces in
            let ns = namespaces[0]
            try await ns.ip("link", "add", "name", "scratch", "type", "bridge")
            let vlan = try await TestNamespace.ip(["-n", ns.name, "link", "add", "link", "scratch", "name", "scratch.10", "type", "vlan", "id", "10"])
            let filtering = try await TestNamespace.ip(["-n", ns.name, "link", "set", "dev", "scratch", "type", "bridge", "vlan_filtering", "1"])
            let filters = try await ns.link("scratch")?.filtersVLANs == true

            let features = await ns.driver.probeFeatures()
            #expect(features.supports(.vlanInterfaces) == vlan.succeeded, "\(features) vs \(vlan)")
            #expect(features.supports(.bridgeVLANFiltering) == (filtering.succeeded && filters), "\(features) vs \(filtering)")
            if !vlan.succeeded {
                #expect(features.missing[.vlanInterfaces]?.contains(vlan.stderr.trimmingCharacters(in: .whitespacesAndNewlines)) == true)
            }
            // The probe's namespace is gone with it: nothing of it stays in the caller's.
            #expect(try await ns.link("probe") == nil)
        }
    }
}
