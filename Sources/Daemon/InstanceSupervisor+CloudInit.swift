import CloudInit
import Foundation
import JoistCore
import QEMUDriver

extension InstanceSupervisor {
    /// Writes the instance's cloud-init seed from its record and returns the seed's drive; without
    /// cloud-init settings, removes any seed an earlier configuration left and returns none. Runs at
    /// every start, so the guest always reads what the record says.
    func cloudInitSeedDrive() async throws -> [AttachedDisk] {
        let path = paths.cloudInitSeed
        guard let settings = record.spec.cloudInit, settings.hasInput else {
            try? FileManager.default.removeItem(atPath: path)
            return []
        }
        let seed = try CloudInitSeed(instance: name, settings: settings, interfaces: CloudInitSeed.interfaces(of: record.spec.nics))
        try await SeedISO().write(seed, to: path)
        logger.debug("wrote the cloud-init seed", metadata: ["instance-id": "\(settings.instanceID(for: name))"])
        return [.cloudInitSeed(path: path)]
    }
}

extension InstanceSpec {
    /// Checks the cloud-init user-data as cloud-init will read it (YAML, header, a mapping); the
    /// rest of the spec is checked by `validate(host:fileExists:)`, which has no YAML parser.
    func validateUserData() throws(JoistError) {
        guard let text = cloudInit?.userData else { return }
        _ = try UserData(validating: text)
    }
}
