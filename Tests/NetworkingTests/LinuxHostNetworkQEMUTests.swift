import Foundation
import HostKit
import JoistCore
import JoistTesting
import Testing

@testable import Networking

/// A tap made by `LinuxHostNetwork` opened by a real QEMU, as `-netdev tap,ifname=` will open it.
@Suite("LinuxHostNetwork: QEMU opens Joist's taps")
struct LinuxHostNetworkQEMUTests {
    @Test("QEMU opens the tap by name: the tap gets a carrier and QEMU's vnet_hdr, and loses the carrier when QEMU exits")
    func qemuOpensTap() async throws {
        try await withScratchFolder { folder in
            try await TestNamespace.with { namespaces in
                let ns = namespaces[0], layout = try LinuxHostNetworkTests.nat()
                let tap = LinkNames.tap(for: NICIdentity(project: "default", instance: "web-1", index: 0))
                try await ns.driver.ensureBridge(layout)
                try await ns.driver.ensureTap(tap, bridge: layout.bridge)
                #expect(try await Self.flags(ns, tap).contains("NO-CARRIER"))

                let pidFile = folder + "/qemu.pid"
                let qemu = try await ns.exec("qemu-system-x86_64", [
                    "-netdev", "tap,id=n0,ifname=\(tap),script=no,downscript=no", "-device", "virtio-net-pci,netdev=n0",
                    "-machine", "q35", "-accel", "tcg", "-nodefaults", "-display", "none", "-S",
                    "-daemonize", "-pidfile", pidFile,
                ])
                try #require(qemu.succeeded, "QEMU did not start: \(qemu.stderr)")
                let pid = try #require(pid_t((NetworkFiles.read(pidFile) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)))

                let open = try await Self.details(ns, tap)
                #expect(open.contains("\"LOWER_UP\"") && !open.contains("NO-CARRIER"), "\(open)")
                #expect(open.contains("\"vnet_hdr\":true"), "QEMU turns vnet_hdr on for its descriptor: \(open)")
                #expect(DnsmasqProcess.commandLine(pid).first?.hasSuffix("qemu-system-x86_64") == true, "QEMU is still running")

                kill(pid, SIGTERM)
                #expect(try await eventually { try await Self.flags(ns, tap).contains("NO-CARRIER") })
                #expect(try await ns.link(tap)?.master == layout.bridge, "the tap outlives QEMU, still joined")
            }
        }
    }

    static func flags(_ ns: TestNamespace, _ tap: String) async throws -> [String] {
        try #require(try await ns.link(tap)).flags
    }

    static func details(_ ns: TestNamespace, _ tap: String) async throws -> String {
        try await ns.ip("-j", "-d", "link", "show", "dev", tap)
    }
}
