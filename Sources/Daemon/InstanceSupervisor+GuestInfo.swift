import Foundation
import GuestAgent
public import JoistAPI
import JoistCore

/// What the guest agent says about the guest (its OS and addresses), for `joist info`: bounded to
/// about a second so a guest without an agent never makes `info` slow, and kept for a few seconds
/// so repeated calls do not each ask the guest.
extension InstanceSupervisor {
    /// How long the agent has for the handshake, and for each question.
    static let guestInfoSyncTimeout = Duration.milliseconds(1000)
    static let guestInfoCommandTimeout = Duration.milliseconds(500)
    /// How long an answer is reused.
    static let guestInfoFreshness = Duration.seconds(5)

    /// The guest's OS and network interfaces, or why the agent does not say.
    public func guest() async -> InstanceGuest {
        guard lifecycle.state == .running else {
            return InstanceGuest(
                agent: lifecycle.state == .paused ? .notAnswering : .notRunning,
                message: "instance \(name) is \(lifecycle.state.rawValue)")
        }
        let pid = record.runtime?.pid
        let cached = guestCache.flatMap { $0.pid == pid ? $0 : nil }
        if let cached, ContinuousClock.now - cached.at < Self.guestInfoFreshness { return cached.guest }
        if agentInUse {
            return cached?.guest ?? InstanceGuest(agent: .notAnswering, message: "the guest agent of \(name) is busy with another request")
        }
        let guest: InstanceGuest
        do {
            guest = try await withGuestAgent("ask the guest agent of", syncTimeout: Self.guestInfoSyncTimeout) { agent in
                let os = try await agent.osInfo(timeout: Self.guestInfoCommandTimeout)
                let interfaces = try await agent.networkInterfaces(timeout: Self.guestInfoCommandTimeout)
                return Self.guest(os: os, interfaces: interfaces)
            }
        } catch {
            return InstanceGuest(agent: .notAnswering, message: (error as? JoistError)?.message ?? "\(error)")
        }
        guestCache = (ContinuousClock.now, pid, guest)
        return guest
    }

    /// The agent's answers as the API shows them; loopback is left out.
    static func guest(os: GuestOSInfo, interfaces: [GuestNetworkInterface]) -> InstanceGuest {
        InstanceGuest(
            agent: .answering,
            os: InstanceGuest.OS(
                id: os.id, versionID: os.versionID, prettyName: os.prettyName, kernelRelease: os.kernelRelease, machine: os.machine),
            interfaces: interfaces.filter { $0.name != "lo" }.map { interface in
                InstanceGuest.Interface(
                    name: interface.name, mac: interface.hardwareAddress,
                    addresses: interface.addresses.map { "\($0.address)/\($0.prefix)" })
            })
    }
}
