import Foundation
import JoistCore
import Testing

@Suite("IPv4 and MAC addresses")
struct AddressTests {
    @Test("dotted quads parse to their number and print back", arguments: [
        ("0.0.0.0", UInt32(0)), ("10.1.2.3", 0x0A01_0203), ("255.255.255.255", 0xFFFF_FFFF), ("192.168.0.10", 0xC0A8_000A),
    ])
    func parses(text: String, value: UInt32) throws {
        let address = try IPv4Address(parsing: text)
        #expect(address.value == value)
        #expect(address.description == text)
    }

    @Test("anything but four plain decimal octets is refused", arguments: [
        "", "10.1.2", "10.1.2.3.4", "10.1.2.256", "010.1.2.3", "10.01.2.3", "10.1.2.-1", "10.1.2.+3", " 10.1.2.3",
        "10.1.2.3 ", "10..2.3", "a.b.c.d", "0x0a.1.2.3", "10.1.2.3/24", "１０.1.2.3",
    ])
    func refusesAddress(text: String) {
        #expect(throws: JoistError.self) { try IPv4Address(parsing: text) }
    }

    @Test("user MACs parse in either case and print in lower case", arguments: [
        ("52:54:00:AB:cd:EF", "52:54:00:ab:cd:ef"), ("02:00:00:00:00:01", "02:00:00:00:00:01"), ("fe:ff:ff:ff:ff:ff", "fe:ff:ff:ff:ff:ff"),
    ])
    func parsesMAC(text: String, printed: String) throws {
        #expect(try MACAddress(parsing: text).description == printed)
    }

    @Test("malformed, multicast and all-zero MACs are refused", arguments: [
        "", "52:54:00:ab:cd", "52:54:00:ab:cd:ef:01", "52-54-00-ab-cd-ef", "5254.00ab.cdef", "52:54:00:ab:cd:eg", "52:54:00:ab:cd:e",
        "52:54:00:ab:cd:eff", "+5:54:00:ab:cd:ef", "01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00", "33:33:00:00:00:01",
    ])
    func refusesMAC(text: String) {
        #expect(throws: JoistError.self) { try MACAddress(parsing: text) }
    }

    @Test("a multicast MAC is refused with the reason")
    func multicastMessage() {
        #expect(throws: JoistError.invalidArgument(
            "MAC address 01:00:5e:00:00:01 is a multicast address: a NIC needs a unicast one (an even first byte)"
        )) { try MACAddress(parsing: "01:00:5e:00:00:01") }
    }

    @Test("MACs are JSON strings")
    func macCodable() throws {
        let mac = try MACAddress(parsing: "52:54:00:12:34:56")
        let json = try JSONEncoder().encode([mac])
        #expect(String(decoding: json, as: UTF8.self) == #"["52:54:00:12:34:56"]"#)
        #expect(try JSONDecoder().decode([MACAddress].self, from: json) == [mac])
    }

    @Test("an address in QEMU's block takes the low 24 bits of its suffix", arguments: [
        (UInt32(0), "52:54:00:00:00:00"), (0x12_3456, "52:54:00:12:34:56"), (0xffff_ffff, "52:54:00:ff:ff:ff"),
    ])
    func qemuSuffix(suffix: UInt32, text: String) throws {
        let mac = MACAddress(qemuSuffix: suffix)
        #expect(mac.description == text)
        #expect(try MACAddress(parsing: text) == mac)
    }

    @Test("an address that fits in front of more text parses only as a whole", arguments: [
        ("10.1.2.3", UInt32?.some(0x0A01_0203)), ("10.1.2.3x", nil), ("10.1.2", nil),
    ])
    func parsesPrefix(text: String, value: UInt32?) {
        #expect(IPv4Address.parse(Substring(text)) == value)
    }
}
