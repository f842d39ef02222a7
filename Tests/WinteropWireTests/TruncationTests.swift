import NIOCore
import Testing
import WinteropWire

/// Every reader rejects input that ends too early with a `WireError` that names the
/// specification section in force and the field.
@Suite struct TruncationTests {
    let reference = SpecReference("MS-TEST", "2.2.1")

    func reader(_ bytes: [UInt8]) -> WireReader {
        WireReader(bytes: bytes, reference)
    }

    func expectWireError(_ expected: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected a WireError containing '\(expected)'")
        } catch let error as WireError {
            #expect(error.spec == "MS-TEST")
            #expect(error.section == "2.2.1")
            #expect(error.message.contains(expected), "\(error.message)")
        } catch {
            Issue.record("expected a WireError, got \(error)")
        }
    }

    @Test(arguments: [Endianness.big, .little])
    func integersNeedTheirWidth(_ endianness: Endianness) {
        for available in 0..<8 {
            let bytes = [UInt8](repeating: 0xAB, count: available)
            if available < 1 { expectWireError("Count needs 1 byte") { var r = reader(bytes); _ = try r.readUInt8(field: "Count") } }
            if available < 2 { expectWireError("Size needs 2 bytes") { var r = reader(bytes); _ = try r.readUInt16(endianness, field: "Size") } }
            if available < 4 { expectWireError("Id needs 4 bytes") { var r = reader(bytes); _ = try r.readUInt32(endianness, field: "Id") } }
            expectWireError("Stream needs 8 bytes, \(available) left") { var r = reader(bytes); _ = try r.readUInt64(endianness, field: "Stream") }
        }
    }

    @Test func failedReadConsumesNothing() throws {
        var r = reader([1, 2, 3])
        #expect(throws: WireError.self) { try r.readUInt32(.big, field: "x") }
        #expect(r.remaining == 3)
        #expect(try r.readUInt16(.big, field: "x") == 0x0102)
    }

    @Test func byteRuns() {
        expectWireError("Payload needs 5 bytes, 4 left") { var r = reader([1, 2, 3, 4]); _ = try r.readSlice(5, field: "Payload") }
        expectWireError("Payload needs 5 bytes, 4 left") { var r = reader([1, 2, 3, 4]); _ = try r.readBytes(5, field: "Payload") }
        expectWireError("Pad needs 3 bytes") { var r = reader([0, 0]); try r.skip(3, field: "Pad") }
        expectWireError("Reserved needs 2 bytes") { var r = reader([0]); try r.expectZeros(2, field: "Reserved") }
        expectWireError("negative length") { var r = reader([0]); _ = try r.readBytes(-1, field: "Payload") }
    }

    @Test func lengthPrefixedFields() {
        expectWireError("Name length needs 2 bytes") { var r = reader([0]); _ = try r.readLengthPrefixed(width: .two, .big, field: "Name") }
        expectWireError("Name needs 3 bytes, 2 left") { var r = reader([3, 0x41, 0x42]); _ = try r.readLengthPrefixed(width: .one, .big, field: "Name") }
        expectWireError("exceeds the limit of 2") { var r = reader([3, 0x41, 0x42, 0x43]); _ = try r.readLengthPrefixed(width: .one, .big, maxLength: 2, field: "Name") }
    }

    @Test func text() {
        expectWireError("has no NUL terminator") { var r = reader([0x41, 0x42]); _ = try r.readNULTerminatedASCII(field: "Name") }
        expectWireError("no NUL terminator within 2 bytes") { var r = reader([0x41, 0x42, 0x43, 0]); _ = try r.readNULTerminatedASCII(maxLength: 2, field: "Name") }
        expectWireError("Name is not ASCII") { var r = reader([0x41, 0xC3, 0]); _ = try r.readNULTerminatedASCII(field: "Name") }
        expectWireError("Tag needs 3 bytes") { var r = reader([0x41]); _ = try r.readASCII(3, field: "Tag") }
        expectWireError("odd length of 3 bytes") { var r = reader([0x41, 0, 0x42]); _ = try r.readUTF16LE(3, field: "FriendlyName") }
        expectWireError("FriendlyName needs 4 bytes") { var r = reader([0x41, 0]); _ = try r.readUTF16LE(4, field: "FriendlyName") }
        expectWireError("has no NUL terminator") { var r = reader([0x41, 0, 0x42, 0]); _ = try r.readNULTerminatedUTF16LE(field: "Path") }
        expectWireError("has no NUL terminator") { var r = reader([0x41, 0, 0]); _ = try r.readNULTerminatedUTF16LE(field: "Path") }
        expectWireError("unpaired surrogate") { var r = reader([0x00, 0xD8, 0x41, 0x00]); _ = try r.readUTF16LE(4, field: "Name") }
    }

    @Test func declaredLengthsAreUsedExactly() {
        expectWireError("1 unexpected byte after Header") { let r = reader([9]); try r.expectEnd("Header") }
        expectWireError("must be 0x0000 but is 0x0001") { var r = reader([0, 1]); try r.expectInteger(UInt16(0), .big, field: "Reserved") }
        expectWireError("Reserved must be zero") { var r = reader([0, 1]); try r.expectZeros(2, field: "Reserved") }
        expectWireError("1 unexpected byte after Body") {
            var r = reader([2, 0xAA, 0xBB, 0xCC])
            _ = try r.withSubReader(3, field: "Body") { (sub: inout WireReader) throws(WireError) in
                try sub.readUInt16(.big, field: "x")
            }
        }
        expectWireError("Body needs 5 bytes, 4 left") {
            var r = reader([2, 0xAA, 0xBB, 0xCC])
            _ = try r.withSubReader(5, field: "Body") { (sub: inout WireReader) throws(WireError) in sub.readRest() }
        }
    }

    @Test func subReaderLabelsErrorsWithItsSection() {
        var r = reader([0, 0, 0, 0])
        do {
            try r.withSubReader(2, field: "Body", section: "2.2.7") { (sub: inout WireReader) throws(WireError) in
                _ = try sub.readUInt32(.big, field: "Inner")
            }
            Issue.record("expected an error")
        } catch {
            #expect(error.section == "2.2.7")
            #expect(error.description == "MS-TEST 2.2.7: truncated: Inner needs 4 bytes, 2 left")
        }
    }

    @Test func tlvHeadersAndValues() {
        let format = TLVFormat(typeWidth: .one, lengthWidth: .two, endianness: .big, minimumLength: 1)
        func walk(_ bytes: [UInt8]) throws {
            var iterator = TLVIterator(ByteBuffer(bytes: bytes), format: format, reference: reference)
            while try iterator.next() != nil {}
        }
        expectWireError("TLV 0x00000001 length needs 2 bytes, 1 left") { try walk([1, 0]) }
        expectWireError("declares 3 bytes but only 2 remain") { try walk([1, 0, 3, 0xA, 0xB]) }
        expectWireError("has length 0; the minimum is 1") { try walk([1, 0, 0]) }
        expectWireError("declares 65535 bytes but only 0 remain") { try walk([7, 0xFF, 0xFF]) }
    }
}
