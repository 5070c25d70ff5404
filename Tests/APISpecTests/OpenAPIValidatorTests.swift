import Foundation
import JoistAPI
import JoistTesting
import Testing

@Suite("OpenAPI validator: catches what it must")
struct OpenAPIValidatorTests {
    private func problems(_ json: String, _ schema: String) throws -> [String] {
        try Spec.document().validate(json: Spec.json(json), against: schema)
    }

    /// A minimal valid instance as JSON, in `state`, with `extra` members appended.
    private func instance(state: String = "stopped", _ extra: String = "") -> String {
        """
        {"name": "web-1", "project": "default", "state": "\(state)", "createdAt": "2025-10-09T08:53:20Z", \
        "config": {"name": "web-1", "kernel": "/k", "cmdline": "", "cpus": 1, "memory": "512MiB", \
        "disks": [], "nics": [], "machine": "q35", "accel": "auto"}, "nics": []\(extra)}
        """
    }

    @Test("a valid value has no problems")
    func valid() throws {
        #expect(try problems(instance(), "Instance") == [])
    }

    @Test("a missing required field is named")
    func missingRequired() throws {
        #expect(try problems(#"{"name": "ci-bot", "role": "admin"}"#, "TokenCreate") == [])
        #expect(try problems(#"{"kernel": "/k"}"#, "InstanceCreate") == ["$: missing required property 'name'"])
        #expect(try problems(#"{"items": [{"id": "x"}]}"#, "TokenPage").contains("$.items[0]: missing required property 'role'"))
    }

    @Test("a wrong type is named with its path", arguments: [
        (#"{"action": "stop", "timeout": "30"}"#, "InstanceStateChange", "$.timeout: expected integer, got string"),
        (#"{"action": "stop", "force": 1}"#, "InstanceStateChange", "$.force: expected boolean, got integer"),
        (#"{"action": "stop", "timeout": true}"#, "InstanceStateChange", "$.timeout: expected integer, got boolean"),
        (#"{"action": "stop", "timeout": 1.5}"#, "InstanceStateChange", "$.timeout: expected integer, got number"),
        (#"{"settings": {"key": "cpus"}}"#, "InstanceConfigPatch", "$.settings: expected array, got object"),
        (#"{"settings": [{"key": "cpus", "value": null}]}"#, "InstanceConfigPatch", "$.settings[0].value: expected string, got null"),
    ])
    func wrongType(json: String, schema: String, expected: String) throws {
        #expect(try problems(json, schema) == [expected])
    }

    @Test("an integral number counts as an integer, as JSON Schema says")
    func integralNumber() throws {
        #expect(try problems(#"{"action": "stop", "timeout": 30.0}"#, "InstanceStateChange") == [])
    }

    @Test("an unknown property is refused where additionalProperties is false")
    func unknownProperty() throws {
        #expect(try problems(instance(#", "uptime": 12"#), "Instance") == ["$: unknown property 'uptime'"])
        #expect(try problems(#"{"name": "w", "kernel": "/k", "memroy": "1GiB"}"#, "InstanceCreate") == ["$: unknown property 'memroy'"])
        // A map's values are checked against its additionalProperties schema.
        let operation = try #require(try Spec.json(WireSamples.minimalOperation) as? [String: Any])
        var withResult = operation
        withResult["result"] = ["instance": 7]
        #expect(try Spec.document().validate(json: withResult, against: "Operation") == ["$.result.instance: expected string, got integer"])
    }

    @Test("a value outside an enum is refused")
    func badEnum() throws {
        #expect(try problems(instance(state: "exploded"), "Instance") == [
            #"$.state: "exploded" is not one of "stopped", "starting", "running", "paused", "stopping", "error""#
        ])
        #expect(try problems(#"{"name": "t", "role": "root"}"#, "TokenCreate") == [
            #"$.role: "root" is not one of "viewer", "operator", "admin""#
        ])
    }

    @Test("bounds, patterns and formats are checked", arguments: [
        (#"{"action": "stop", "timeout": -1}"#, "InstanceStateChange", "$.timeout: -1 is below the minimum 0"),
        (#"{"name": "-web", "kernel": "/k"}"#, "InstanceCreate", #"$.name: "-web" does not match pattern ^[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?$"#),
        (#"{"name": "", "kernel": "/k"}"#, "InstanceCreate", #"$.name: "" is shorter than minLength 1"#),
        (#"{"at": "yesterday", "reason": "x"}"#, "ExitRecord", #"$.at: "yesterday" is not an RFC 3339 date-time"#),
        (#"{"at": "2025-10-09T08:53:20.125Z", "reason": "x"}"#, "ExitRecord", nil),
        (#"{"proto": "tcp", "hostAddress": "", "hostPort": 65536, "guestAddress": "", "guestPort": 22}"#, "HostForward",
            "$.hostPort: 65536 is above the maximum 65535"),
        (#"{"limits": {"memory": -5}}"#, "ProjectUpdate", "$.limits.memory: matches none of oneOf"),
    ] as [(String, String, String?)])
    func bounds(json: String, schema: String, expected: String?) throws {
        let found = try problems(json, schema)
        if let expected {
            #expect(found.contains { $0.hasPrefix(expected) }, "\(found)")
        } else {
            #expect(found == [])
        }
    }

    @Test("an unknown schema name is a problem, not a pass")
    func unknownSchema() throws {
        #expect(try problems("{}", "Nonesuch") == ["no schema named 'Nonesuch' in components.schemas"])
    }

    @Test("a small inline document: nullable, allOf and refs")
    func inlineDocument() throws {
        let document = try OpenAPIDocument(yaml: """
            openapi: 3.0.3
            info: {title: t, version: "1"}
            paths: {}
            components:
              schemas:
                Base: {type: object, required: [id], properties: {id: {type: integer}}}
                Named:
                  allOf:
                    - $ref: "#/components/schemas/Base"
                    - {type: object, properties: {label: {type: string, nullable: true}}}
            """)
        #expect(document.validate(json: try Spec.json(#"{"id": 1, "label": null}"#), against: "Named") == [])
        #expect(document.validate(json: try Spec.json(#"{"label": "x"}"#), against: "Named") == ["$: missing required property 'id'"])
        #expect(document.validate(json: try Spec.json(#"{"id": null}"#), against: "Base") == ["$.id: expected integer, got null"])
        #expect(throws: (any Error).self) { try OpenAPIDocument(yaml: "just: text") }
    }
}
