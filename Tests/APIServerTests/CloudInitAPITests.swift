import Foundation
import JoistAPI
import JoistCore
import JoistTesting
import Testing

@testable import APIServer

@Suite("cloud-init over the API")
struct CloudInitAPITests {
    static let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIINe4rce216ByVBjT6E9ANJ+XMdMlO5X8x940i5+Cd4l me@laptop"

    @Test("bad user-data, keys, hostnames and unknown cloudInit fields are 400 and create nothing; good ones are stored")
    func create() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        try await fixture.withClient { client in
            let bad = [
                ##"{"name": "a", "cloudInit": {"userData": "#cloud-config\nruncmd: [oops\n"}}"##: "line 3",
                ##"{"name": "a", "cloudInit": {"userData": "hostname: x\n"}}"##: "#cloud-config",
                ##"{"name": "a", "cloudInit": {"sshKeys": ["ssh-dss AAAA"]}}"##: "ssh-dss",
                ##"{"name": "a", "cloudInit": {"hostname": "a.b"}}"##: "a.b",
                ##"{"name": "a", "cloudInit": {"hostName": "a"}}"##: "cloudInit.hostName",
            ]
            for (body, fragment) in bad {
                let answer = try await client.request(.post, "/1.0/instances", as: .admin, body: body)
                #expect(answer.status == 400, "\(body)")
                #expect(answer.json.description.contains(fragment), "\(answer.json)")
            }
            #expect(try await client.request(.get, "/1.0/instances", as: .viewer).decode(Page<Instance>.self).items.isEmpty)

            let good = ##"{"name": "a", "cloudInit": {"userData": "#cloud-config\nruncmd: [[touch, /m]]\n", "sshKeys": ["\##(Self.key)"], "hostname": "box"}}"##
            let created = try await client.request(.post, "/1.0/instances", as: .admin, body: good)
            #expect(created.status == 201, "\(created.json)")
            #expect(APIBehaviourTests.conforms(created, "post", "/1.0/instances") == [])
            let settings = try #require(try created.decode(Instance.self).config.cloudInit)
            #expect(settings == CloudInitSettings(userData: "#cloud-config\nruncmd: [[touch, /m]]\n", sshKeys: [Self.key], hostname: "box"))

            let patch = ##"{"settings": [{"key": "cloud-init.user-data", "value": "#cloud-config\n- a\n"}]}"##
            let refused = try await client.request(.patch, "/1.0/instances/a/config", as: .admin, body: patch)
            #expect(refused.status == 400 && refused.json.description.contains("mapping"), "\(refused.json)")
            let reapply = ##"{"settings": [{"key": "cloud-init.reapply", "value": "true"}]}"##
            let moved = try await client.request(.patch, "/1.0/instances/a/config", as: .admin, body: reapply)
            #expect(try moved.decode(Instance.self).config.cloudInit?.instanceID(for: "a") == "a-2")
        }
    }
}
