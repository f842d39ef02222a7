import Testing
@testable import WinteropDTLS

/// Records split across tunnelled payloads are joined; whole ones pass straight through.
@Suite struct ReassemblerTests {
    static func record(_ type: UInt8 = 22, length: Int) -> [UInt8] {
        [type, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 1, UInt8(length >> 8), UInt8(length & 0xFF)] + [UInt8](repeating: 0x42, count: length)
    }

    @Test func aRecordSplitInTwoIsHandedBackWhole() throws {
        var reassembler = DTLSRecordReassembler()
        let bytes = Self.record(length: 5000)
        #expect(try reassembler.append(Array(bytes[..<4096])) == nil)
        #expect(reassembler.pendingCount == 4096)
        #expect(try reassembler.append(Array(bytes[4096...])) == bytes)
        #expect(reassembler.pendingCount == 0)
    }

    @Test func aSplitHeaderWaitsForTheRest() throws {
        var reassembler = DTLSRecordReassembler()
        let bytes = Self.record(length: 10)
        #expect(try reassembler.append(Array(bytes[..<5])) == nil)
        #expect(try reassembler.append(Array(bytes[5...])) == bytes)
    }

    @Test func twoRecordsInOnePayloadGoTogetherAndATailIsKept() throws {
        var reassembler = DTLSRecordReassembler()
        let a = Self.record(length: 3), b = Self.record(20, length: 1), c = Self.record(length: 8)
        #expect(try reassembler.append(a + b + Array(c[..<6])) == a + b)
        #expect(try reassembler.append(Array(c[6...])) == c)
    }

    @Test func aBadHeaderIsRefusedAsSoonAsItIsThere() {
        var reassembler = DTLSRecordReassembler()
        #expect(throws: DTLSError.self) { try reassembler.append([99, 0xFE, 0xFD] + [UInt8](repeating: 0, count: 10)) }
        var oversized = DTLSRecordReassembler()
        // A header claiming more than 18432 bytes cannot make the buffer grow unbounded.
        #expect(throws: DTLSError.self) { try oversized.append([22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]) }
    }
}
