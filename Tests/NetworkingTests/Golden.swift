import Foundation
import Testing

/// Golden files: rendered configs pinned in `Golden/NAME`, byte for byte. Run with
/// `JOIST_UPDATE_GOLDEN=1` to rewrite them after an intended change, and review the diff.
enum Golden {
    static func check(_ name: String, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
        if ProcessInfo.processInfo.environment["JOIST_UPDATE_GOLDEN"] != nil {
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "\(name) differs from \(url.path)", sourceLocation: sourceLocation)
    }
}
