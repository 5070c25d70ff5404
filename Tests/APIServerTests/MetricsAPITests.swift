import Foundation
import JoistAPI
import Testing

@testable import APIServer

@Suite("Metrics API")
struct MetricsAPITests {
    @Test("/1.0/resources answers viewers with the host's figures and every pool, as the spec describes")
    func resources() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        await fixture.services.metrics.tick()
        try await fixture.withClient { client in
            let answer = try await client.request(.get, "/1.0/resources", as: .teamViewer)
            #expect(answer.status == 200)
            #expect(APIBehaviourTests.conforms(answer, "get", "/1.0/resources") == [])
            let resources = try answer.decode(ServerResources.self)
            #expect(resources.cpu.count == ProcessInfo.processInfo.activeProcessorCount)
            #expect(resources.memory.totalBytes > 0 && resources.memory.usedBytes + resources.memory.availableBytes == resources.memory.totalBytes)
            #expect(resources.storagePools.map(\.name) == ["default"])
            #expect(try await client.request(.get, "/1.0/resources", as: .anonymous).status == 401)
        }
    }

    @Test("an instance's metrics: empty before it ever ran, 404 for an unknown one or another project's, a bad since is 400")
    func instanceMetrics() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        try #require(try await fixture.createInstance("web").status == 201)
        await fixture.services.metrics.tick()
        try await fixture.withClient { client in
            let answer = try await client.request(.get, "/1.0/instances/web/metrics", as: .viewer)
            #expect(answer.status == 200)
            #expect(APIBehaviourTests.conforms(answer, "get", "/1.0/instances/{name}/metrics") == [])
            let metrics = try answer.decode(InstanceMetrics.self)
            #expect(metrics.intervalSeconds == 10 && metrics.samples.isEmpty)
            let since = try await client.request(.get, "/1.0/instances/web/metrics?since=2026-12-01T10:00:00Z", as: .viewer)
            #expect(since.status == 200)
            let bad = try await client.request(.get, "/1.0/instances/web/metrics?since=yesterday", as: .viewer)
            #expect(bad.status == 400 && bad.errorCode == "invalid_argument")
            #expect(try await client.request(.get, "/1.0/instances/nope/metrics", as: .viewer).status == 404)
            #expect(try await client.request(.get, "/1.0/instances/web/metrics?project=team", as: .viewer).status == 404)
            #expect(try await client.request(.get, "/1.0/instances/web/metrics", as: .teamViewer).status == 404)
        }
    }
}
