@testable import Activity
import Foundation
import JoistAPI
import JoistCore
import Testing

@Suite("OperationOutcome")
struct OperationOutcomeTests {
    let running = JoistAPI.Operation(
        id: "id", action: "instance.start", description: "Starting instance web-1", project: "default",
        resources: [], status: .running, mayCancel: true, requestedBy: "local",
        createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))

    @Test("a returned result succeeds, stamped with the end time")
    func success() {
        let end = Date(timeIntervalSince1970: 10)
        let operation = OperationOutcome.finished(running, with: .success(["a": "b"]), cancelRequested: false, at: end)
        #expect(operation.status == .succeeded)
        #expect(operation.result == ["a": "b"])
        #expect(operation.updatedAt == end)
        #expect(operation.createdAt == running.createdAt)
    }

    @Test(
        "thrown errors map to a status and an error code",
        arguments: [
            (CancellationError() as any Error, false, JoistAPI.Operation.Status.cancelled, "cancelled"),
            (JoistError.notFound("instance x not found") as any Error, false, .failed, "not_found"),
            (JoistError(.timeout, "the guest did not power off") as any Error, false, .failed, "timeout"),
            (DiskOnFire() as any Error, false, .failed, "internal"),
            (JoistError.hostFailure("qemu exited") as any Error, true, .cancelled, "cancelled"),
            (DiskOnFire() as any Error, true, .cancelled, "cancelled"),
        ])
    func classify(error: any Error, cancelRequested: Bool, status: JoistAPI.Operation.Status, code: String) {
        let (mappedStatus, body) = OperationOutcome.classify(error, cancelRequested: cancelRequested)
        #expect(mappedStatus == status)
        #expect(body.code == code)
    }
}
