import Daemon
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JoistAPI
import JoistCore
import JoistTesting
import NIOCore
import Testing

@testable import APIServer

@Suite("API: images")
struct ImageAPITests {
    static func conforms(_ answer: APIClientHelper.Answer, _ method: String, _ template: String) -> [String] {
        APIBehaviourTests.conforms(answer, method, template)
    }

    /// Random bytes (which detect as a raw disk) of `count` bytes, and their SHA-256 as sha256sum says.
    static func randomImage(_ count: Int, in directory: String) async throws -> (bytes: [UInt8], fingerprint: String) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let file = directory + "/random-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let digest = try await CommandRunner.run("/usr/bin/sha256sum", [file])
        return (bytes, String(digest.stdout.prefix(64)))
    }

    @Test("an upload bigger than the 1MiB body limit streams to disk; its operation stores it; the same bytes again are free")
    func upload() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        let image = try await Self.randomImage(3 << 20 + 512, in: fixture.directory)
        try await fixture.withClient { client in
            let denied = try await client.upload(image.bytes, "/1.0/images?alias=blob", as: .operator)
            #expect(denied.status == 403)
            let accepted = try await client.upload(image.bytes, "/1.0/images?alias=blob", as: .admin)
            #expect(accepted.status == 202, "\(String(decoding: accepted.body, as: UTF8.self))")
            #expect(Self.conforms(accepted, "post", "/1.0/images") == [])
            let done = try await client.finished(try accepted.decode(JoistAPI.Operation.self))
            #expect(done.status == .succeeded, "\(done.error?.message ?? "")")
            #expect(done.result == ["fingerprint": image.fingerprint, "existed": "false", "aliases": "blob"])

            let got = try await client.request(.get, "/1.0/images/blob", as: .teamViewer)
            #expect(Self.conforms(got, "get", "/1.0/images/{name}") == [])
            let stored = try got.decode(Image.self)
            #expect(stored.fingerprint == image.fingerprint && stored.format == .raw && stored.type == .disk)
            #expect(stored.fileSize == UInt64(image.bytes.count))

            let again = try await client.upload(image.bytes, "/1.0/images?alias=again", as: .admin)
            let second = try await client.finished(try again.decode(JoistAPI.Operation.self))
            #expect(second.result == ["fingerprint": image.fingerprint, "existed": "true", "aliases": "again,blob"])
            let list = try await client.request(.get, "/1.0/images", as: .viewer)
            #expect(Self.conforms(list, "get", "/1.0/images") == [])
            #expect(try list.decode(Page<Image>.self).items.map(\.fingerprint) == [image.fingerprint])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory + "/staging") == [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory + "/images") == ["\(image.fingerprint).raw"])
    }

    @Test("uploads and JSON imports are refused clearly before anything is stored")
    func refusals() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        try await fixture.withClient { client in
            let empty = try await client.upload([], "/1.0/images", as: .admin)
            #expect(empty.status == 400 && empty.json.description.contains("the upload is empty"))
            let badAlias = try await client.upload([1, 2, 3], "/1.0/images?alias=no.dots", as: .admin)
            #expect(badAlias.status == 400)
            #expect(Self.conforms(badAlias, "post", "/1.0/images") == [])
            let text = try await client.upload([1, 2, 3], "/1.0/images", as: .admin, contentType: "text/plain")
            #expect(text.status == 400 && text.json.description.contains("application/octet-stream"))
            let both = try await client.request(.post, "/1.0/images", as: .admin, body: #"{"url": "http://127.0.0.1:9/x", "path": "/x"}"#)
            #expect(both.status == 400)
            let neither = try await client.request(.post, "/1.0/images", as: .admin, body: #"{"alias": "x"}"#)
            #expect(neither.status == 400)
            let typo = try await client.request(.post, "/1.0/images", as: .admin, body: #"{"urll": "http://127.0.0.1:9/x"}"#)
            #expect(typo.status == 400 && typo.json.description.contains("urll"))
            let padding = String(repeating: " ", count: 2 << 20)
            let large = try await client.request(.post, "/1.0/images", as: .admin, body: #"{"url": "http://127.0.0.1:9/x"}"# + padding)
            #expect(large.status == 413, "JSON bodies keep the 1MiB limit")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory + "/staging") == [])
    }

    @Test("a host path may only be named on the Unix socket: 403 over TLS, even for a global admin")
    func hostPaths() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        let file = fixture.directory + "/disk.img"
        try Data(repeating: 7, count: 4096).write(to: URL(fileURLWithPath: file))
        let body = #"{"path": "\#(file)", "alias": "local-disk"}"#
        try await fixture.withClient { client in
            let remote = try await client.request(.post, "/1.0/images", as: .admin, body: body)
            #expect(remote.status == 403)
            #expect(VolumeTransferAPITests.message(remote).contains("cannot import an image: only the local administrator on joistd's Unix socket may name files on joistd's host"))
            #expect(Self.conforms(remote, "post", "/1.0/images") == [])
        }
        let local = APIServer.makeRouter(fixture.services, authenticator: .local)
        try await Application(router: local.router).test(.router) { client in
            let response = try await client.execute(
                uri: "/1.0/images", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
            #expect(response.status == .accepted)
            let operation = try APICoding.decoder().decode(JoistAPI.Operation.self, from: Data(response.body.readableBytesView))
            let waited = try await client.execute(uri: "/1.0/operations/\(operation.id)/wait?timeout=30", method: .get)
            let done = try APICoding.decoder().decode(JoistAPI.Operation.self, from: Data(waited.body.readableBytesView))
            #expect(done.status == .succeeded, "\(done.error?.message ?? "")")
            #expect(done.result?["aliases"] == "local-disk")
        }
        #expect(FileManager.default.fileExists(atPath: file), "the host's file is read in place, never moved")
    }

    @Test("aliases and deletes need a global admin; usedBy shows each caller only its project's volumes")
    func aliasesAndDelete() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        let image = try await Self.randomImage(8192, in: fixture.directory)
        let images = fixture.services.images
        try await fixture.withClient { client in
            let accepted = try await client.upload(image.bytes, "/1.0/images", as: .admin)
            _ = try await client.finished(try accepted.decode(JoistAPI.Operation.self))
            let prefix = String(image.fingerprint.prefix(12))
            #expect(try await client.request(.post, "/1.0/images/\(prefix)/aliases", as: .teamAdmin, body: #"{"name": "base"}"#).status == 403)
            let named = try await client.request(.post, "/1.0/images/\(prefix)/aliases", as: .admin, body: #"{"name": "base"}"#)
            #expect(named.status == 201)
            #expect(Self.conforms(named, "post", "/1.0/images/{name}/aliases") == [])
            #expect(try named.decode(Image.self).aliases == ["base"])

            _ = try await images.createVolume(fromImage: "base", name: "ours", pool: "default", project: "team")
            _ = try await images.createVolume(fromImage: "base", name: "mine", pool: "default", project: "default")
            let team = try await client.request(.get, "/1.0/images/base", as: .teamViewer).decode(Image.self)
            #expect(team.usedBy == [ImageVolume(project: "team", pool: "default", name: "ours")])
            let everyone = try await client.request(.get, "/1.0/images/base", as: .viewer).decode(Image.self)
            #expect(everyone.usedBy.map(\.name) == ["mine", "ours"])
            let volume = try await client.request(.get, "/1.0/storage-pools/default/volumes/ours?project=team", as: .teamViewer)
            #expect(try volume.decode(StorageVolume.self).image == image.fingerprint)
            #expect(Self.conforms(volume, "get", "/1.0/storage-pools/{pool}/volumes/{name}") == [])

            let held = try await client.request(.delete, "/1.0/images/base", as: .admin)
            #expect(held.status == 409)
            #expect(Self.conforms(held, "delete", "/1.0/images/{name}") == [])
            #expect(held.json.description.contains("volumes default/mine, default/ours (project team) read it"))
            _ = try await client.request(.delete, "/1.0/storage-pools/default/volumes/mine", as: .operator)
            _ = try await client.request(.delete, "/1.0/storage-pools/default/volumes/ours?project=team", as: .teamOperator)

            let unalias = try await client.request(.delete, "/1.0/images/\(prefix)/aliases/base", as: .admin)
            #expect(unalias.status == 204)
            #expect(try await client.request(.get, "/1.0/images/base", as: .viewer).status == 404)
            let deleted = try await client.request(.delete, "/1.0/images/\(image.fingerprint)", as: .admin)
            #expect(deleted.status == 204)
            #expect(try await client.request(.get, "/1.0/images/\(image.fingerprint)", as: .viewer).status == 404)
        }
    }
}

extension APIClientHelper {
    /// POSTs raw bytes (an upload) as `caller`.
    func upload(_ bytes: [UInt8], _ uri: String, as caller: APIFixture.Caller, contentType: String = "application/octet-stream") async throws -> Answer {
        var headers: HTTPFields = [.contentType: contentType]
        if let secret = secrets[caller] { headers[.authorization] = "Bearer \(secret)" }
        let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: bytes))
        return Answer(status: Int(response.status.code), headers: response.headers, body: Data(response.body.readableBytesView))
    }

    /// Waits (as an admin) until the operation has ended.
    func finished(_ operation: JoistAPI.Operation) async throws -> JoistAPI.Operation {
        var current = operation
        while !current.status.isFinal {
            current = try await request(.get, "/1.0/operations/\(operation.id)/wait?timeout=30", as: .admin).decode(JoistAPI.Operation.self)
        }
        return current
    }
}
