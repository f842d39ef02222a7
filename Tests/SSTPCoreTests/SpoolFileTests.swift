import NIOCore
import SSTPCore
import Testing

/// The spool layout read back from bytes: records in order, a cut-short end, damage.
@Suite struct SpoolFileTests {
    static func spool(_ records: [(size: Int, sequence: UInt64)], payloadShortBy: Int = 0) -> [UInt8] {
        var buffer = ByteBuffer(bytes: SSTP.SpoolFile.magic)
        for record in records {
            SSTP.SpoolFile.writeHeader(size: record.size, connection: 3, session: 9, sequence: record.sequence, into: &buffer)
            buffer.writeRepeatingByte(0x41, count: record.size)
        }
        return Array(buffer.readableBytesView.dropLast(payloadShortBy))
    }

    @Test func recordsAreReadInOrderWithTheirOffsets() throws {
        let contents = try SSTP.SpoolFile.contents(of: Self.spool([(3, 1), (0, 2), (5, 3)]))
        let header = SSTP.SpoolFile.recordHeaderSize
        #expect(contents.truncatedAt == nil)
        #expect(contents.records.map(\.offset) == [8 + header, 8 + 2 * header + 3, 8 + 3 * header + 3])
        #expect(contents.records.map(\.size) == [3, 0, 5])
        #expect(contents.records.map(\.sequence) == [1, 2, 3])
        #expect(contents.records.allSatisfy { $0.connection == 3 && $0.session == 9 })
    }

    @Test func aRecordCutShortIsTheEnd() throws {
        let bytes = Self.spool([(3, 1), (5, 2)], payloadShortBy: 1)
        let contents = try SSTP.SpoolFile.contents(of: bytes)
        #expect(contents.records.count == 1)
        #expect(contents.truncatedAt == 8 + SSTP.SpoolFile.recordHeaderSize + 3)
        // A header cut short too.
        let header = try SSTP.SpoolFile.contents(of: Array(Self.spool([(3, 1)]) + SSTP.SpoolFile.recordMagic))
        #expect(header.records.count == 1 && header.truncatedAt == 8 + SSTP.SpoolFile.recordHeaderSize + 3)
    }

    @Test func notASpoolAndDamageAreTold() {
        #expect(throws: SSTP.SpoolFile.ReadError.notASpool) { try SSTP.SpoolFile.contents(of: Array("WTSPOOL".utf8)) }
        var damaged = Self.spool([(3, 1), (2, 2)])
        damaged[8 + SSTP.SpoolFile.recordHeaderSize + 3] = 0x58
        #expect(throws: SSTP.SpoolFile.ReadError.damaged(offset: 8 + SSTP.SpoolFile.recordHeaderSize + 3)) {
            try SSTP.SpoolFile.contents(of: damaged)
        }
    }
}
