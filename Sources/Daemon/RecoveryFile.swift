import Foundation
import Yams

/// Writes an instance's full record as YAML beside its runtime files, so the database can be rebuilt.
enum RecoveryFile {
    static func write(_ record: InstanceRecord, to path: String) throws {
        let yaml = try YAMLEncoder().encode(record)
        let header = "# Joist instance record: the full configuration of \(record.spec.name), rewritten on every change.\n"
        try AtomicFile.write(Data((header + yaml).utf8), to: path)
    }
}

/// Writes files so a reader sees either the old or the new content, never half of one.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let temp = path + ".tmp"
        guard FileManager.default.createFile(atPath: temp, contents: data) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temp])
        }
        if rename(temp, path) != 0 {
            let code = errno
            try? FileManager.default.removeItem(atPath: temp)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }
}
