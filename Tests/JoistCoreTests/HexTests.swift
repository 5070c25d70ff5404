import Foundation
import JoistCore
import Testing

@Suite("Hex")
struct HexTests {
    @Test("every byte becomes the two lowercase digits printf gives it, in order")
    func everyByte() {
        let bytes = (0...255).map(UInt8.init)
        #expect(Hex.lowercase(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
        #expect(Hex.lowercase([0xde, 0xad, 0x01]) == "dead01")
        #expect(Hex.lowercase([]).isEmpty)
    }
}
