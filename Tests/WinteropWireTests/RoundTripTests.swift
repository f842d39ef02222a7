import NIOCore
import PropertyBased
import Testing
import WinteropWire

/// `decode ∘ encode` is the identity for every reader/writer pair.
/// Runs a throwing check inside a non-throwing property closure, recording any error.
func recordingErrors(_ body: () throws -> Void) {
    do { try body() } catch { Issue.record("unexpected error: \(error)") }
}

@Suite struct RoundTripTests {
    let reference = SpecReference("MS-TEST", "2.2")

    @Test func integersInBothByteOrders() async {
        await propertyCheck(input: Gen.uint64(), Gen.bool) { value, big in
            recordingErrors {
                let endianness: Endianness = big ? .big : .little
                var buffer = ByteBuffer()
                buffer.writeInteger(UInt8(truncatingIfNeeded: value))
                buffer.writeInteger(UInt16(truncatingIfNeeded: value), endianness: endianness)
                buffer.writeInteger(UInt32(truncatingIfNeeded: value), endianness: endianness)
                buffer.writeInteger(value, endianness: endianness)
                var r = WireReader(buffer, reference)
                let value1 = try r.readUInt8(field: "a")
                #expect(value1 == UInt8(truncatingIfNeeded: value))
                let value2 = try r.readUInt16(endianness, field: "b")
                #expect(value2 == UInt16(truncatingIfNeeded: value))
                let value3 = try r.readUInt32(endianness, field: "c")
                #expect(value3 == UInt32(truncatingIfNeeded: value))
                let value4 = try r.readUInt64(endianness, field: "d")
                #expect(value4 == value)
                #expect(r.isAtEnd)
            }
        }
    }

    @Test func byteOrderIsAsNamed() throws {
        var r = WireReader(bytes: [0x01, 0x02, 0x01, 0x02], reference)
        let value5 = try r.readUInt16(.big, field: "x")
        #expect(value5 == 0x0102)
        let value6 = try r.readUInt16(.little, field: "x")
        #expect(value6 == 0x0201)
    }

    @Test func nulTerminatedASCII() async {
        let text = Gen<UInt8>.value(in: 1...127).array(of: 0...64).map { String(decoding: $0, as: UTF8.self) }
        await propertyCheck(input: text, Gen.uint8()) { text, trailer in
            recordingErrors {
                var buffer = ByteBuffer()
                try buffer.writeNULTerminatedASCII(text)
                buffer.writeInteger(trailer)
                var r = WireReader(buffer, reference)
                let value7 = try r.readNULTerminatedASCII(field: "Name")
                #expect(value7 == text)
                let value8 = try r.readUInt8(field: "trailer")
                #expect(value8 == trailer)
            }
        }
    }

    @Test func asciiWriterRefusesWhatItCannotWrite() {
        var buffer = ByteBuffer()
        #expect(throws: EncodingError.self) { try buffer.writeNULTerminatedASCII("caf\u{E9}") }
        #expect(throws: EncodingError.self) { try buffer.writeNULTerminatedASCII("a\u{0}b") }
        #expect(throws: EncodingError.self) { try buffer.writeASCII("\u{1F600}") }
        #expect(buffer.readableBytes == 0)
    }

    static let unicodeText = Gen.oneOf(
        Gen.unicodeScalar(in: "\u{1}"..."\u{D7FF}").eraseToAnySequence(),
        Gen.unicodeScalar(in: "\u{E000}"..."\u{FFFD}").eraseToAnySequence(),
        Gen.unicodeScalar(in: "\u{10000}"..."\u{10FFFF}").eraseToAnySequence()
    ).array(of: 0...40).map { scalars in
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars)
        return text
    }

    @Test func utf16LEWithAndWithoutTerminator() async {
        await propertyCheck(input: Self.unicodeText) { text in
            recordingErrors {
                // Without a terminator, length given by the caller.
                let bytes = UTF16LE.encode(text)
                var r = WireReader(bytes: bytes, reference)
                let value9 = try r.readUTF16LE(bytes.count, field: "Name")
                #expect(value9 == text)
                // With a terminator.
                var buffer = ByteBuffer()
                buffer.writeUTF16LE(text, terminated: true)
                buffer.writeInteger(UInt16(0xBEEF))
                var t = WireReader(buffer, reference)
                let value10 = try t.readNULTerminatedUTF16LE(field: "Name")
                #expect(value10 == text)
                let value11 = try t.readUInt16(.big, field: "after")
                #expect(value11 == 0xBEEF)
                // A byte-order mark in front is tolerated.
                var withBOM: [UInt8] = [0xFF, 0xFE]
                withBOM += bytes
                var b = WireReader(bytes: withBOM, reference)
                let value12 = try b.readUTF16LE(withBOM.count, field: "Name")
                #expect(value12 == text)
            }
        }
    }

    @Test func utf16LEGolden() throws {
        // "Hi" then a NUL code unit padding the fixed-size field.
        var r = WireReader(bytes: [0x48, 0x00, 0x69, 0x00, 0x00, 0x00, 0x00, 0x00], reference)
        let value13 = try r.readUTF16LE(8, field: "Name")
        #expect(value13 == "Hi")
        #expect(UTF16LE.encode("\u{1F600}") == [0x3D, 0xD8, 0x00, 0xDE])
    }

    @Test func lengthPrefixedBytes() async {
        await propertyCheck(input: Gen.uint8().array(of: 0...300), Gen.int(in: 0...2), Gen.bool) { bytes, widthIndex, big in
            recordingErrors {
                let width: IntegerWidth = [.one, .two, .four][widthIndex]
                let endianness: Endianness = big ? .big : .little
                var buffer = ByteBuffer()
                if bytes.count > width.maxValue {
                    #expect(throws: EncodingError.self) { try buffer.writeLengthPrefixed(bytes, width: width, endianness) }
                    return
            }
            try buffer.writeLengthPrefixed(bytes, width: width, endianness)
            try buffer.writeLengthPrefixed(width: width, endianness) { (inner: inout ByteBuffer) throws(EncodingError) in
                inner.writeBytes(bytes)
            }
            var r = WireReader(buffer, reference)
            #expect(Array(try r.readLengthPrefixed(width: width, endianness, field: "a").readableBytesView) == bytes)
            #expect(Array(try r.readLengthPrefixed(width: width, endianness, field: "b").readableBytesView) == bytes)
            #expect(r.isAtEnd)
            }
        }
    }

    @Test func tlvLists() async {
        let widths: [IntegerWidth] = [.one, .two, .four]
        let item = Gen.uint16().map { UInt32($0) }
        await propertyCheck(
            input: Gen.int(in: 0...2), Gen.int(in: 0...2), Gen.bool,
            Gen.uint8().array(of: 0...40).array(of: 0...8), item.array(of: 8)
        ) { t, l, big, values, types in
            recordingErrors {
                let format = TLVFormat(typeWidth: widths[t], lengthWidth: widths[l], endianness: big ? .big : .little)
                var buffer = ByteBuffer()
                var expected: [(UInt32, [UInt8])] = []
                for (index, value) in values.enumerated() {
                    let type = types[index] & UInt32(min(format.typeWidth.maxValue, Int(UInt32.max)))
                    try buffer.writeTLV(type: type, value: value, format: format)
                    expected.append((type, value))
            }
            var iterator = TLVIterator(buffer, format: format, reference: reference)
            let items = try iterator.collect()
            #expect(items.count == expected.count)
            for (item, (type, value)) in zip(items, expected) {
                #expect(item.type == type)
                #expect(Array(item.value.readableBytesView) == value)
            }
            }
        }
    }

    @Test func tlvWriterRefusesWhatDoesNotFit() {
        let format = TLVFormat(typeWidth: .one, lengthWidth: .one, endianness: .big)
        var buffer = ByteBuffer()
        #expect(throws: EncodingError.self) { try buffer.writeTLV(type: 256, value: [1], format: format) }
        #expect(throws: EncodingError.self) { try buffer.writeTLV(type: 1, value: [UInt8](repeating: 0, count: 256), format: format) }
    }

    @Test func hex() async {
        await propertyCheck(input: Gen.uint8().array(of: 0...64)) { bytes in
            recordingErrors {
                #expect(Hex.decode(Hex.encode(bytes)) == bytes)
                #expect(Hex.decode(Hex.encode(bytes, separator: " ")) == bytes)
            }
        }
        #expect(Hex.decode("0x00 0x3C:ab-CD") == [0x00, 0x3C, 0xAB, 0xCD])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
