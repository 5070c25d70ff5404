import Foundation
import QMP
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    @Test(
        "parses and writes back the same compact JSON",
        arguments: [
            #"null"#, #"true"#, #"false"#, #"0"#, #"-42"#, #"1.5"#, #""text""#, #"[]"#, #"{}"#,
            #"[1,"two",null,{"three":3}]"#,
            #"{"a":{"b":[true,false]},"z":"last"}"#,
            #""quote \" backslash \\ newline \n tab \t bell \u0007""#,
            #""ünïcödé ✓""#,
        ]
    )
    func roundTrip(text: String) throws {
        let value = try JSONValue(jsonText: text)
        #expect(value.jsonText == text)
        #expect(try JSONValue(jsonText: value.jsonText) == value)
    }

    @Test("writes integral numbers without a fraction, as QEMU's integer parameters require")
    func integralNumbers() {
        let value: JSONValue = ["size": .number(1_073_741_824), "ratio": 0.25, "negative": -3]
        #expect(value.jsonText == #"{"negative":-3,"ratio":0.25,"size":1073741824}"#)
    }

    @Test("encodes integral numbers as integers through JSONEncoder too")
    func codableIntegers() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let value: JSONValue = ["n": 7, "x": 7.5]
        let data = try encoder.encode(value)
        #expect(String(decoding: data, as: UTF8.self) == #"{"n":7,"x":7.5}"#)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == ["n": 7, "x": 7.5])
    }

    @Test("writes NaN and infinities as null, since JSON cannot express them")
    func nonFiniteNumbers() {
        #expect(JSONValue.array([.number(.nan), .number(.infinity)]).jsonText == "[null,null]")
    }

    @Test("reads members, elements and scalars through accessors")
    func accessors() throws {
        let value = try JSONValue(jsonText: #"{"running":true,"status":"paused","cpus":[{"id":0},{"id":1.5}]}"#)
        #expect(value["running"]?.boolValue == true)
        #expect(value["status"]?.stringValue == "paused")
        #expect(value["cpus"]?[0]?["id"]?.intValue == 0)
        #expect(value["cpus"]?[1]?["id"]?.intValue == nil)
        #expect(value["cpus"]?[1]?["id"]?.doubleValue == 1.5)
        #expect(value["cpus"]?[2] == nil)
        #expect(value["missing"] == nil)
        #expect(value["status"]?.boolValue == nil)
        #expect(value["cpus"]?.arrayValue?.count == 2)
        #expect(value.objectValue?.keys.sorted() == ["cpus", "running", "status"])
        #expect(JSONValue.null.isNull)
    }

    @Test("rejects text that is not JSON", arguments: ["", "{", "nope", #"{"a":}"#])
    func rejectsMalformed(text: String) {
        #expect(throws: (any Error).self) { try JSONValue(jsonText: text) }
    }
}
