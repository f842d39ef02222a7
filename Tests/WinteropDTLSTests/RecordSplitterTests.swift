import Testing
@testable import WinteropDTLS

@Suite struct RecordSplitterTests {
    @Test func splitsSeveralRecords() throws {
        let a = recordBytes(type: 22, version: 0xFEFF, epoch: 0, sequence: 0, fragment: [1, 2, 3])
        let b = recordBytes(type: 20, epoch: 0, sequence: 0x0102_0304_0506, fragment: [1])
        let c = recordBytes(type: 23, epoch: 1, sequence: 7, fragment: [])
        let records = try DTLSRecordSplitter.split(a + b + c)
        #expect(records.count == 3)
        #expect(records.map { Array($0.bytes) } == [a, b, c])
        #expect(records[0].header == DTLSRecordHeader(contentType: .handshake, version: 0xFEFF, epoch: 0, sequenceNumber: 0, length: 3))
        #expect(records[1].header.sequenceNumber == 0x0102_0304_0506)
        #expect(records[2].header.epoch == 1)
    }

    @Test func rejectsMalformedPayloads() {
        let good = recordBytes(type: 22, fragment: [1, 2, 3])
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("short header", Array(good[0..<12])),
            ("truncated fragment", Array(good.dropLast())),
            ("trailing byte", good + [0]),
            ("second header truncated", good + Array(good[0..<5])),
            ("unknown type", recordBytes(type: 24, fragment: [1])),
            ("type zero", recordBytes(type: 0, fragment: [1])),
            ("TLS version", recordBytes(type: 22, version: 0x0303, fragment: [1])),
            ("DTLS 1.3-ish", recordBytes(type: 22, version: 0xFEFC, fragment: [1])),
            ("empty handshake", recordBytes(type: 22, fragment: [])),
            ("too long", recordBytes(type: 23, fragment: [UInt8](repeating: 0, count: 18433))),
        ]
        for (name, bytes) in cases {
            let error = #expect(throws: DTLSError.self, "\(name)") { try DTLSRecordSplitter.split(bytes) }
            #expect(error?.kind == .malformedRecord, "\(name)")
            #expect(error?.message.isEmpty == false)
        }
    }

    @Test func acceptsTheLargestFragment() throws {
        let largest = recordBytes(type: 23, fragment: [UInt8](repeating: 0, count: 18432))
        #expect(try DTLSRecordSplitter.split(largest).first?.header.length == 18432)
    }

    @Test func handlesSlices() throws {
        // Splitting must index relative to the array, which here starts at 0 but the
        // records it returns are slices of it.
        let payload = recordBytes(type: 21, fragment: [2, 40]) + recordBytes(type: 22, fragment: [9])
        let records = try DTLSRecordSplitter.split(payload)
        #expect(records[1].bytes.startIndex == 15)
        #expect(Array(records[1].bytes) == recordBytes(type: 22, fragment: [9]))
    }

    @Test func garbageHandshakePayloadsThrowNotCrash() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let server = try DTLSEndpoint(DTLSConfiguration(role: .server, certificate: TestCertificates.shared))
            let length = Int.random(in: 0...200, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if Bool.random(using: &generator), bytes.count >= 13 {
                // A plausible header over garbage: reaches OpenSSL.
                bytes[0] = 22; bytes[1] = 0xFE; bytes[2] = 0xFD
                bytes[11] = UInt8((bytes.count - 13) >> 8); bytes[12] = UInt8((bytes.count - 13) & 0xFF)
            }
            do {
                let result = try server.receiveHandshake(bytes)
                #expect(!result.isComplete)
                for record in result.send { try expectOneRecord(record) }
            } catch let error as DTLSError {
                #expect(!error.message.isEmpty)
            }
        }
    }

    @Test func corruptedClientHelloFailsTheHandshakeWithAMessage() throws {
        let client = try DTLSEndpoint(DTLSConfiguration(role: .client))
        let hello = try #require(client.start().send.first)
        var corrupted = hello
        // The handshake message length (bytes 1-3 after the record header) claims too much.
        corrupted[DTLSRecordHeader.size + 1] = 0x7F
        let server = try DTLSEndpoint(DTLSConfiguration(role: .server, certificate: TestCertificates.shared))
        do {
            let result = try server.receiveHandshake(corrupted)
            // OpenSSL may just drop a fragment it cannot place; then nothing is sent.
            #expect(result.send.isEmpty)
        } catch {
            #expect(error.kind == .handshakeFailed)
        }
    }
}
