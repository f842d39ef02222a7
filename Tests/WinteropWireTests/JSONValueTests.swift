import Testing
import WinteropWire
import WinteropFormat

@Suite struct JSONValueTests {
    @Test func compactJSONKeepsKeyOrderAndEscapes() {
        let value = JSONValue.object([
            ("z", .int(-1)), ("a", .uint(UInt64.max)), ("s", .string("q\"\\\n\u{1}é")),
            ("list", .array([.bool(true), .null, .hex([0xDE, 0xAD])])), ("empty", .object([])),
        ])
        #expect(value.jsonText == #"{"z":-1,"a":18446744073709551615,"s":"q\"\\\n\u0001é","list":[true,null,"dead"],"empty":{}}"#)
        #expect(value["a"] == .uint(UInt64.max))
    }

    @Test func textIsIndentedKeyValueLines() {
        let value = JSONValue.object([
            ("command", .string("Connect")),
            ("fields", .object([("version", .int(6)), ("urls", .array([.string("a"), .string("b")]))])),
        ])
        #expect(value.text == """
            command: Connect
            fields:
              version: 6
              urls:
                [0]: a
                [1]: b
            """)
    }
}
