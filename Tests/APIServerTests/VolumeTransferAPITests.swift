import Activity
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JoistAPI
import JoistCore
import JoistTesting
import NIOCore
import Storage
import Testing

@testable import APIServer

/// Imports and exports over the API: who may name host files, uploads streamed past the JSON limit,
/// downloads, cancellation. The pools are fakes; the files uploaded and imported are real images.
@Suite("API: volume import and export")
struct VolumeTransferAPITests {
    static let volumes = "/1.0/storage-pools/default/volumes"

    static func conforms(_ answer: APIClientHelper.Answer, _ method: String, _ template: String) -> [String] {
        APIBehaviourTests.conforms(answer, method, template)
    }

    @Test("callers on TCP can never name host files (403); the local administrator on the Unix socket can")
    func hostPaths() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        let image = try await Self.image(in: fixture, size: "32M")
        let directory = fixture.directory
        // Exports may not write inside the state directory (the fixture's folder): this one is outside.
        let outside = "/tmp/jx-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try await fixture.withClient { client in
            for caller in [APIFixture.Caller.operator, .admin] {
                let imported = try await client.request(.post, "\(Self.volumes)/data/import", as: caller, body: #"{"path": "\#(image)"}"#)
                #expect(imported.status == 403)
                #expect(Self.conforms(imported, "post", "/1.0/storage-pools/{pool}/volumes/{name}/import") == [])
                #expect(Self.message(imported).contains("only the local administrator on joistd's Unix socket may name files on joistd's host"))
            }
            _ = try await client.request(.post, Self.volumes, as: .operator, body: #"{"name": "disk", "size": "1GiB"}"#)
            let exported = try await client.request(
                .post, "\(Self.volumes)/disk/export", as: .operator, body: #"{"format": "vmdk", "path": "\#(directory)/disk.vmdk"}"#)
            #expect(exported.status == 403)
            #expect(Self.conforms(exported, "post", "/1.0/storage-pools/{pool}/volumes/{name}/export") == [])
            #expect(!FileManager.default.fileExists(atPath: directory + "/disk.vmdk"))
            let audit = try await client.request(.get, "/1.0/audit?action=volume.import", as: .admin).decode(Page<AuditEntry>.self)
            #expect(audit.items.map(\.outcome) == [.denied, .denied])
        }
        try await fixture.withLocalClient { client in
            let accepted = try await client.request(.post, "\(Self.volumes)/data/import", as: .anonymous, body: #"{"path": "\#(image)", "format": "raw"}"#)
            #expect(accepted.status == 202, "\(Self.message(accepted))")
            #expect(Self.conforms(accepted, "post", "/1.0/storage-pools/{pool}/volumes/{name}/import") == [])
            let operation = try await StorageAPITests.wait(for: accepted, client)
            #expect(operation.status == .succeeded, "\(operation)")
            #expect(operation.mayCancel)
            #expect(operation.result == ["volume": "default/data", "fileFormat": "qcow2", "format": "raw", "size": "32MiB"])
            #expect(operation.progress == OperationProgress(done: 32 << 20, total: 32 << 20, unit: "bytes", stage: "converting"))
            let volume = try await client.request(.get, "\(Self.volumes)/data", as: .anonymous).decode(StorageVolume.self)
            #expect(volume.size == .mebibytes(32) && volume.format == .raw)

            let inside = try await client.request(
                .post, "\(Self.volumes)/data/export", as: .anonymous, body: #"{"format": "vpc", "path": "\#(directory)/data.vhd"}"#)
            #expect(inside.status == 400)
            #expect(Self.message(inside).hasSuffix("it is inside the folder of joistd's state directory; choose a folder of your own"))
            let destination = outside + "/data.vhd"
            let export = try await client.request(.post, "\(Self.volumes)/data/export", as: .anonymous, body: #"{"format": "vpc", "path": "\#(destination)"}"#)
            let exported = try await StorageAPITests.wait(for: export, client)
            #expect(exported.result == ["volume": "default/data", "fileFormat": "vpc", "path": destination])
            #expect(FileManager.default.fileExists(atPath: destination))
            let again = try await client.request(.post, "\(Self.volumes)/data/export", as: .anonymous, body: #"{"format": "vpc", "path": "\#(destination)"}"#)
            #expect(again.status == 409, "an existing file is refused at once")
            #expect(Self.message(again).contains("the file exists; force to replace it"))
            let forced = try await client.request(
                .post, "\(Self.volumes)/data/export", as: .anonymous, body: #"{"format": "vpc", "path": "\#(destination)", "force": true}"#)
            #expect(try await StorageAPITests.wait(for: forced, client).status == .succeeded)
            let missing = try await client.request(.post, "\(Self.volumes)/other/import", as: .anonymous, body: #"{"path": "/nonexistent.vmdk"}"#)
            #expect(missing.status == 404)
        }
    }

    @Test("callers on TCP upload the image as the body, streamed past the 1 MiB JSON limit into staging and removed after")
    func upload() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        // Raw data, 3 MiB: three times the JSON body limit.
        var data = [UInt8](repeating: 0, count: 3 << 20)
        for index in stride(from: 0, to: data.count, by: 4096) { data[index] = UInt8(index >> 12 & 0xff) }
        let bytes = data
        let overlay = try Array(Data(contentsOf: URL(fileURLWithPath: try await Self.overlay(in: fixture))))
        let staging = fixture.services.storage.staging.folder
        try await fixture.withClient { client in
            let refused = try await Self.upload(client, "\(Self.volumes)/data/import", bytes, as: .teamViewer)
            #expect(refused.status == 403)
            let accepted = try await Self.upload(client, "\(Self.volumes)/data/import?format=raw&sourceFormat=raw", bytes, as: .teamOperator)
            #expect(Self.conforms(accepted, "post", "/1.0/storage-pools/{pool}/volumes/{name}/import") == [])
            let operation = try await StorageAPITests.wait(for: accepted, client)
            #expect(operation.status == .succeeded, "\(operation)")
            #expect(operation.project == "team")
            #expect(operation.result?["size"] == "3MiB")
            #expect(try FileManager.default.contentsOfDirectory(atPath: staging).isEmpty, "the upload is gone")
            #expect(try await client.request(.get, "/1.0/projects/team", as: .teamViewer).decode(ProjectInfo.self).usage.disk == .mebibytes(3))

            let taken = try await Self.upload(client, "\(Self.volumes)/data/import", bytes, as: .teamOperator)
            #expect(taken.status == 409, "a name in use is refused before the body is read")
            let badFormat = try await Self.upload(client, "\(Self.volumes)/x/import?sourceFormat=iso", bytes, as: .operator)
            #expect(badFormat.status == 400)
            #expect(Self.message(badFormat).contains("query parameter sourceFormat must be one of qcow2, raw, vmdk, vdi, vhdx, vpc, not 'iso'"))
            let empty = try await Self.upload(client, "\(Self.volumes)/x/import", [], as: .operator)
            #expect(empty.status == 400)
            #expect(Self.message(empty).contains("the upload is empty"))

            let reads = try await Self.upload(client, "\(Self.volumes)/x/import", overlay, as: .operator)
            #expect(reads.status == 400)
            #expect(Self.message(reads).contains("cannot import the uploaded image: it is a qcow2 image that reads other files"))
            #expect(Self.conforms(reads, "post", "/1.0/storage-pools/{pool}/volumes/{name}/import") == [])
            #expect(try FileManager.default.contentsOfDirectory(atPath: staging).isEmpty)
        }
    }

    @Test("an export without a path is downloaded by its operation's id, in its project only, then discarded")
    func download() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        let staging = fixture.services.storage.staging.folder
        try await fixture.withClient { client in
            _ = try await client.request(.post, Self.volumes, as: .teamOperator, body: #"{"name": "data", "size": "2GiB"}"#)
            let accepted = try await client.request(.post, "\(Self.volumes)/data/export", as: .teamOperator, body: #"{"format": "vdi"}"#)
            #expect(Self.conforms(accepted, "post", "/1.0/storage-pools/{pool}/volumes/{name}/export") == [])
            let operation = try await StorageAPITests.wait(for: accepted, client)
            let download = try #require(operation.result?["download"], "\(operation)")
            #expect(download == "/1.0/volume-exports/\(operation.id)")
            let expected = FakeStorageBackend.exportContents(try VolumeHandle(project: "team", name: "data", format: .qcow2), format: .vdi, size: 2 << 30)
            #expect(operation.result?["bytes"] == String(expected.utf8.count))

            let fetched = try await client.request(.get, download, as: .teamViewer)
            #expect(fetched.status == 403, "downloading takes an operator")
            #expect(try await client.request(.get, download, as: .operator).status == 404, "not in default's project")
            let file = try await client.request(.get, download, as: .teamOperator)
            #expect(Self.conforms(file, "get", "/1.0/volume-exports/{id}") == [])
            #expect(String(decoding: file.body, as: UTF8.self) == expected)
            #expect(file.headers[.contentDisposition] == "attachment; filename=\"data.vdi\"")
            let discarded = try await client.request(.delete, download, as: .teamOperator)
            #expect(discarded.status == 204)
            #expect(Self.conforms(discarded, "delete", "/1.0/volume-exports/{id}") == [])
            let gone = try await client.request(.get, download, as: .teamOperator)
            #expect(gone.status == 404)
            #expect(Self.conforms(gone, "get", "/1.0/volume-exports/{id}") == [])
            #expect(try FileManager.default.contentsOfDirectory(atPath: staging).isEmpty)
        }
    }

    @Test("cancelling an import or an export ends its operation cancelled and leaves no volume, upload or file")
    func cancel() async throws {
        let fixture = try await APIFixture.make()
        defer { fixture.cleanUp() }
        let pool = fixture.storage[fixture.directory + "/storage/default"]
        let staging = fixture.services.storage.staging.folder
        pool.hold(.importImage)
        pool.hold(.exportImage)
        let image = try Array(Data(contentsOf: URL(fileURLWithPath: try await Self.image(in: fixture, size: "8M"))))
        try await fixture.withClient { client in
            let imported = try await Self.upload(client, "\(Self.volumes)/data/import", image, as: .operator)
            try await Self.cancelRunning(imported, client)
            #expect(try await client.request(.get, "\(Self.volumes)/data", as: .viewer).status == 404)
            #expect(try FileManager.default.contentsOfDirectory(atPath: staging).isEmpty)
            #expect(try await client.request(.get, "/1.0/projects/default", as: .viewer).decode(ProjectInfo.self).usage.disk == ByteSize(bytes: 0))

            _ = try await client.request(.post, Self.volumes, as: .operator, body: #"{"name": "disk", "size": "1GiB"}"#)
            let exported = try await client.request(.post, "\(Self.volumes)/disk/export", as: .operator, body: #"{"format": "vhdx"}"#)
            try await Self.cancelRunning(exported, client)
            #expect(try FileManager.default.contentsOfDirectory(atPath: staging).isEmpty)
            let audit = try await client.request(.get, "/1.0/audit?outcome=failed", as: .admin).decode(Page<AuditEntry>.self)
            #expect(audit.items.map { "\($0.action) \($0.status)" } == ["volume.import 499", "volume.export 499"])
        }
    }

    /// Waits until the accepted operation reports progress, cancels it, and expects it to end cancelled.
    static func cancelRunning(_ answer: APIClientHelper.Answer, _ client: APIClientHelper) async throws {
        try #require(answer.status == 202, "\(answer.json)")
        let id = try answer.decode(JoistAPI.Operation.self).id
        #expect(await eventually {
            (try? await client.request(.get, "/1.0/operations/\(id)", as: .viewer).decode(JoistAPI.Operation.self).progress) != nil
        })
        #expect(try await client.request(.delete, "/1.0/operations/\(id)", as: .operator).status == 200)
        let ended = try await client.request(.get, "/1.0/operations/\(id)/wait?timeout=10", as: .viewer).decode(JoistAPI.Operation.self)
        #expect(ended.status == .cancelled)
    }

    /// The message of an error answer.
    static func message(_ answer: APIClientHelper.Answer) -> String {
        (answer.json["error"] as? [String: Any])?["message"] as? String ?? ""
    }

    /// POSTs `bytes` as `application/octet-stream`.
    static func upload(_ client: APIClientHelper, _ uri: String, _ bytes: [UInt8], as caller: APIFixture.Caller) async throws
        -> APIClientHelper.Answer
    {
        var headers: HTTPFields = [.contentType: "application/octet-stream"]
        if let secret = client.secrets[caller] { headers[.authorization] = "Bearer \(secret)" }
        let response = try await client.client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: bytes))
        return .init(status: Int(response.status.code), headers: response.headers, body: Data(response.body.readableBytesView))
    }

    /// A qcow2 image of `size` in the fixture's folder.
    static func image(in fixture: APIFixture, size: String) async throws -> String {
        let path = fixture.directory + "/image-\(UUID().uuidString.prefix(6)).qcow2"
        try await QemuImg().create(path, format: .qcow2, size: try ByteSize(parsing: size).bytes)
        return path
    }

    /// A qcow2 overlay whose backing file is another image in the fixture's folder.
    static func overlay(in fixture: APIFixture) async throws -> String {
        let base = try await image(in: fixture, size: "8M")
        let path = fixture.directory + "/overlay.qcow2"
        try await QemuImg().create(path, format: .qcow2, size: 8 << 20, backing: .init(path: base, format: .qcow2))
        return path
    }
}
