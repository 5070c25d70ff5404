import Foundation
import JoistAPI

/// The guest agent's services on the wire: exec requests and results, and what the agent says.
enum GuestAgentSamples {
    static let all: [WireSample] = [
        WireSample(
            "full exec", "InstanceExec",
            InstanceExec(command: ["sh", "-c", "cat; pwd"], environment: ["GREETING": "hello"], cwd: "/srv", stdin: "aGkK", timeout: 60)),
        WireSample("minimal exec", "InstanceExec", InstanceExec(command: ["uptime"])),
        WireSample(
            "exec result", "InstanceExecResult", InstanceExecResult(exitCode: 3, stdout: "b3V0Cg==", stderr: "ZXJyCg==", truncated: false)),
        WireSample("killed exec", "InstanceExecResult", InstanceExecResult(exitCode: nil, signal: 9, stdout: "", stderr: "", truncated: true)),
        WireSample(
            "answering agent", "InstanceGuest",
            InstanceGuest(
                agent: .answering,
                os: .init(id: "debian", versionID: "12", prettyName: "Debian GNU/Linux 12 (bookworm)", kernelRelease: "6.1.0-28-cloud-amd64", machine: "x86_64"),
                interfaces: [.init(name: "eth0", mac: "52:54:00:12:34:56", addresses: ["10.0.2.15/24", "fe80::5054:ff:fe12:3456/64"])])),
        WireSample(
            "silent agent", "InstanceGuest",
            InstanceGuest(agent: .notAnswering, message: "the guest agent of web1 is not answering: is qemu-guest-agent installed and running in the guest?")),
        WireSample("stopped guest", "InstanceGuest", InstanceGuest(agent: .notRunning, message: "instance web1 is stopped")),
    ]
}
