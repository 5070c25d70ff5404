import ArgumentParser
import Foundation
import JoistAPI
import JoistCore

extension SnapshotCommand {
    /// `joist snapshot schedule INSTANCE [--every 1h --keep 24 [--stateful]] [--clear]`
    struct Schedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schedule", abstract: "Show, set or clear an instance's snapshot schedule.",
            discussion: """
                With --every and --keep, joistd takes a snapshot (auto-YYYYMMDD-HHMMSS, UTC) every interval while \
                the instance runs and deletes the oldest scheduled ones beyond --keep; snapshots you name yourself \
                are never deleted. Without options, shows the schedule; --clear removes it (its snapshots stay).
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Instance name.") var instance: String
        @Option(help: "The interval: N and m, h, d or w, e.g. 30m, 1h, 1d (at least 1m).") var every: String?
        @Option(help: "How many scheduled snapshots to keep.") var keep: Int?
        @Flag(help: "Take stateful snapshots (RAM and device state too).") var stateful = false
        @Flag(help: "Remove the schedule.") var clear = false

        func validate() throws {
            if clear, every != nil || keep != nil { throw ValidationError("--clear takes no --every or --keep") }
            if (every == nil) != (keep == nil) { throw ValidationError("give both --every and --keep") }
            if let every { _ = try SnapshotInterval(parsing: every) }
        }

        func run() async throws {
            let client = global.client()
            let path = global.scoped("/1.0/instances/\(APIClient.segment(instance))/snapshot-schedule")
            if clear {
                _ = try await client.send(.DELETE, path)
                print("Cleared the snapshot schedule of \(instance)")
                return
            }
            let info: SnapshotScheduleInfo
            if let every, let keep {
                info = try await client.call(
                    .PUT, path, body: SnapshotSchedulePut(every: every, keep: keep, stateful: stateful ? true : nil), as: SnapshotScheduleInfo.self)
            } else {
                info = try await client.call(.GET, path, as: SnapshotScheduleInfo.self)
            }
            print(Self.describe(info, of: instance))
        }

        static func describe(_ info: SnapshotScheduleInfo, of instance: String) -> String {
            "Instance \(instance): a \(info.stateful ? "stateful " : "")snapshot every \(info.every), keeping \(info.keep); "
                + "next at \(info.nextAt.formatted(.iso8601)) (while it runs)"
        }
    }
}
