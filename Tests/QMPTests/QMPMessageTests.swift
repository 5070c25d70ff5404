import Foundation
import Testing

@testable import QMP

@Suite("QMP message parsing")
struct QMPMessageTests {
    private func parse(_ text: String) throws -> QMPMessage {
        try QMPMessage.parse(line: Array(text.utf8))
    }

    @Test("reads QEMU's greeting: version, package and capabilities")
    func greeting() throws {
        let message = try parse(
            #"{"QMP": {"version": {"qemu": {"micro": 1, "minor": 2, "major": 8}, "package": "Debian 1:8.2.1"}, "capabilities": ["oob"]}}"#
        )
        let expected = QMPGreeting(
            version: .init(major: 8, minor: 2, micro: 1, package: "Debian 1:8.2.1"),
            capabilities: ["oob"]
        )
        #expect(message == .greeting(expected))
        #expect(expected.version.description == "8.2.1")
    }

    @Test("reads a successful response with its id")
    func success() throws {
        #expect(
            try parse(#"{"return": {"status": "running"}, "id": 7}"#) == .success(id: 7, value: ["status": "running"])
        )
    }

    @Test("reads an error response with its class and description")
    func failure() throws {
        let message = try parse(
            #"{"id": 3, "error": {"class": "CommandNotFound", "desc": "The command foo has not been found"}}"#
        )
        #expect(
            message == .failure(id: 3, errorClass: "CommandNotFound", description: "The command foo has not been found")
        )
    }

    @Test("reads an event with its data and timestamp")
    func event() throws {
        let message = try parse(
            #"{"timestamp": {"seconds": 1700000000, "microseconds": 500000}, "event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-shutdown"}}"#
        )
        let expected = QMPEvent(
            name: "SHUTDOWN",
            data: ["guest": true, "reason": "guest-shutdown"],
            timestamp: Date(timeIntervalSince1970: 1_700_000_000.5)
        )
        #expect(message == .event(expected))
    }

    @Test("gives an event without data an empty object")
    func eventWithoutData() throws {
        #expect(try parse(#"{"event": "STOP"}"#) == .event(QMPEvent(name: "STOP", data: [:], timestamp: nil)))
    }

    @Test(
        "calls anything else a protocol violation",
        arguments: [
            "not json", "[1, 2]", #""string""#, #"{"something": "else"}"#, #"{"error": {"desc": "no class"}}"#,
            #"{"QMP": {"version": {}}}"#,
        ]
    )
    func violations(text: String) {
        #expect {
            try parse(text)
        } throws: { error in
            guard case .protocolViolation = error as? QMPError else { return false }
            return true
        }
    }

    @Test("describes errors in words")
    func errorDescriptions() {
        #expect(
            QMPError.commandFailed(class: "GenericError", description: "boom").description
                == "QMP command failed: GenericError: boom"
        )
        #expect(QMPError.disconnected.description == "QMP connection closed")
        #expect(
            QMPError.connectFailed(path: "/run/x.sock", reason: "No such file").description
                == "failed to connect to QMP socket /run/x.sock: No such file"
        )
    }
}
