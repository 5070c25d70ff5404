import Foundation
import JoistAPI
import JoistCore
import Testing

/// Pins openapi.yaml to the Codable types: what the Swift types encode must match the schemas.
@Suite("openapi.yaml matches the Swift wire types")
struct WireSchemaTests {
    @Test("each encoded sample matches its schema", arguments: WireSamples.all)
    func sample(_ sample: WireSample) throws {
        let problems = try Spec.document().validate(json: sample.encode(), against: sample.schema)
        #expect(problems == [])
    }

    @Test("every schema in the document has at least one sample")
    func coverage() throws {
        let sampled = Set(WireSamples.all.map(\.schema))
        #expect(Set(try Spec.document().schemaNames).subtracting(sampled) == [])
    }

    @Test("optional fields are absent when nil, so the schemas must not require them")
    func omittedOptionals() throws {
        let json = try #require(try Spec.json(WireSamples.minimalInstance) as? [String: Any])
        #expect(Set(json.keys) == ["name", "project", "state", "config", "createdAt", "nics"])
        let token = try #require(try Spec.json(WireSamples.minimalToken) as? [String: Any])
        #expect(token["project"] == nil && token["expiresAt"] == nil)
    }

    @Test("project limits accept a number of bytes; instance memory accepts only a string")
    func sizesOnInput() throws {
        let document = try Spec.document()
        let limits = #"{"name": "team-a", "limits": {"memory": 1073741824, "disk": "20GiB"}}"#
        #expect(document.validate(json: try Spec.json(limits), against: "ProjectCreate") == [])
        let decoded = try APICoding.decoder().decode(ProjectCreate.self, from: Data(limits.utf8))
        #expect(decoded.limits?.memory == .gibibytes(1))

        let create = #"{"name": "web-1", "kernel": "/k", "memory": 536870912}"#
        #expect(document.validate(json: try Spec.json(create), against: "InstanceCreate") == [
            "$.memory: expected string, got integer"
        ])
        #expect(throws: DecodingError.self) {
            try APICoding.decoder().decode(InstanceCreate.self, from: Data(create.utf8))
        }
    }

    @Test("addresses and subnets the Swift types refuse are refused by the schemas too")
    func addressPatterns() throws {
        let document = try Spec.document()
        for address in ["010.1.2.3", "10.1.2", "256.0.0.1", "10.1.2.3 "] {
            #expect(document.validate(json: address, against: "IPv4Address") != [], "\(address)")
        }
        for subnet in ["10.1.2.0/33", "10.1.2.0", "10.1.2.0/024", "10.1.2.0/"] {
            #expect(document.validate(json: subnet, against: "IPv4Subnet") != [], "\(subnet)")
        }
    }

    @Test("request bodies refuse unknown fields", arguments: [
        "InstanceCreate", "InstanceStateChange", "InstanceConfigPatch", "ProjectCreate", "ProjectUpdate", "TokenCreate",
        "StoragePoolCreate", "StorageVolumeCreate", "StorageVolumeResize", "StorageVolumeClone", "ImageImport", "ImageAliasCreate",
        "InstanceDiskAttach", "InstancePublish", "StorageVolumeImport", "StorageVolumeExport", "NetworkCreate",
    ])
    func closedRequests(schema: String) throws {
        let problems = try Spec.document().validate(json: try Spec.json(#"{"colour": "blue"}"#), against: schema)
        #expect(problems.contains("$: unknown property 'colour'"))
    }
}
