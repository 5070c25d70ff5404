import Foundation

/// One message from QEMU, classified: the greeting, a command's response, or an event.
///
/// Parsing is pure so the protocol's shapes are tested without a socket.
enum QMPMessage: Sendable, Hashable {
    /// The banner sent once, on connect.
    case greeting(QMPGreeting)
    /// A successful response; `id` echoes the request's id (absent when QEMU could not read one).
    case success(id: JSONValue?, value: JSONValue)
    /// A failed response.
    case failure(id: JSONValue?, errorClass: String, description: String)
    /// An asynchronous event.
    case event(QMPEvent)

    /// Parses one line of QMP.
    static func parse(line: some Sequence<UInt8>) throws(QMPError) -> QMPMessage {
        let value: JSONValue
        do {
            value = try JSONValue(jsonBytes: line)
        } catch {
            throw .protocolViolation("invalid JSON: \(String(decoding: Array(line.prefix(200)), as: UTF8.self))")
        }
        return try parse(value)
    }

    /// Classifies a parsed JSON message.
    static func parse(_ value: JSONValue) throws(QMPError) -> QMPMessage {
        guard let members = value.objectValue else {
            throw .protocolViolation("message is not a JSON object: \(value)")
        }
        if let banner = members["QMP"] {
            return .greeting(try parseGreeting(banner))
        }
        if let result = members["return"] {
            return .success(id: members["id"], value: result)
        }
        if let error = members["error"] {
            guard let errorClass = error["class"]?.stringValue else {
                throw .protocolViolation("error response without a class: \(value)")
            }
            let description = error["desc"]?.stringValue ?? ""
            return .failure(id: members["id"], errorClass: errorClass, description: description)
        }
        if let name = members["event"]?.stringValue {
            let event = QMPEvent(
                name: name,
                data: members["data"] ?? [:],
                timestamp: members["timestamp"].flatMap(parseTimestamp)
            )
            return .event(event)
        }
        throw .protocolViolation("unrecognized message: \(value)")
    }

    private static func parseGreeting(_ banner: JSONValue) throws(QMPError) -> QMPGreeting {
        guard
            let qemu = banner["version"]?["qemu"],
            let major = qemu["major"]?.intValue,
            let minor = qemu["minor"]?.intValue,
            let micro = qemu["micro"]?.intValue
        else {
            throw .protocolViolation("greeting without a QEMU version: \(banner)")
        }
        let package = banner["version"]?["package"]?.stringValue ?? ""
        let capabilities = banner["capabilities"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return QMPGreeting(
            version: .init(major: major, minor: minor, micro: micro, package: package),
            capabilities: capabilities
        )
    }

    private static func parseTimestamp(_ value: JSONValue) -> Date? {
        guard let seconds = value["seconds"]?.doubleValue else { return nil }
        let microseconds = value["microseconds"]?.doubleValue ?? 0
        return Date(timeIntervalSince1970: seconds + microseconds / 1_000_000)
    }
}
