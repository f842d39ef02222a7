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

    @Test func integersAtTheirLimitsAreWrittenInFull() {
        for value in [Int64.min, -1, 0, 9, 10, Int64.max] {
            #expect(JSONValue.int(value).jsonText == String(value))
        }
        #expect(JSONValue.uint(UInt64.max).jsonText == String(UInt64.max))
    }

    @Test func fieldsWrittenAsTextMatchTheCollectedObject() {
        func describe<F: JSONFields>(_ f: inout F) {
            f.add("a", "x\"y\n")
            f.add("n", Int64(-5))
            f.add("u", UInt64.max)
            f.add("b", true)
            f.addObject("o") { inner in
                inner.add("k", integer: UInt32(7))
                inner.addObject("empty") { _ in }
            }
            f.add("last", false)
        }
        var list = JSONFieldList()
        describe(&list)
        var bytes: [UInt8] = Array("prefix ".utf8)
        JSONObjectText.append(to: &bytes) { describe(&$0) }
        #expect(String(decoding: bytes, as: UTF8.self) == "prefix " + JSONValue.object(list.fields).jsonText)
    }
}
