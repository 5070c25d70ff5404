import Foundation
import Storage
import Testing

@Suite("qemu-img info JSON")
struct ImageInfoTests {
    @Test("decodes the fields Joist uses from qemu-img's JSON")
    func decodes() throws {
        let json = #"{"virtual-size": 1073741824, "filename": "/p/a.qcow2", "format": "qcow2", "actual-size": 200704, "backing-filename": "b.qcow2", "full-backing-filename": "/p/b.qcow2", "backing-filename-format": "qcow2", "dirty-flag": false}"#
        let info = try JSONDecoder().decode(ImageInfo.self, from: Data(json.utf8))
        #expect(info.virtualSize == 1 << 30)
        #expect(info.fullBackingFilename == "/p/b.qcow2")
        #expect(info.dirtyFlag == false)
    }
}
