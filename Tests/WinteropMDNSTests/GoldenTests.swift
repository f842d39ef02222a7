import NIOCore
import Testing
import WinteropWire
@testable import WinteropMDNS

/// Messages laid out by hand from RFC 1035 4.1 (header, question, resource records,
/// compression pointers of 4.1.4) with the mDNS bits of RFC 6762 18.
@Suite struct GoldenTests {
    static func bytes(_ hex: String) -> [UInt8] {
        Hex.decode(hex.filter { !$0.isWhitespace }) ?? []
    }

    /// A one-question query for sink.local A with the QU bit (RFC 6762 5.4).
    static let query = bytes("""
        0000 0000 0001 0000 0000 0000
        04 73696e6b 05 6c6f63616c 00  0001 8001
        """)

    static let sinkLocal = try! DNSName(["sink", "local"])
    static let service = try! DNSName(["_display", "_tcp", "local"])
    static let instance = try! DNSName(["TV", "_display", "_tcp", "local"])

    @Test func queryDecodes() throws {
        let message = try DNSMessage.decode(bytes: Self.query)
        #expect(message.header == DNSHeader(isResponse: false))
        #expect(message.questions == [DNSQuestion(name: Self.sinkLocal, type: .a, unicastResponse: true)])
        #expect(message.answers.isEmpty && message.authorities.isEmpty && message.additionals.isEmpty)
    }

    @Test func queryEncodes() throws {
        let message = DNSMessage(header: DNSHeader(isResponse: false), questions: [DNSQuestion(name: Self.sinkLocal, type: .a, unicastResponse: true)])
        #expect(Array(try message.encode().readableBytesView) == Self.query)
    }

    /// A response: PTR answer, SRV and A additionals; names compressed against earlier ones.
    static let response = bytes("""
        0000 8400 0000 0001 0000 0002
        08 5f646973706c6179 04 5f746370 05 6c6f63616c 00  000c 0001 00001194 0005  02 5456 c00c
        c02b  0021 8001 00000078 000d  0000 0000 1c52 04 73696e6b c01a
        c042  0001 8001 00000078 0004  7f000001
        """)

    static let responseMessage = DNSMessage(
        header: DNSHeader(isResponse: true, authoritativeAnswer: true),
        answers: [DNSResourceRecord(name: service, ttl: 4500, data: .ptr(instance))],
        additionals: [
            DNSResourceRecord(name: instance, cacheFlush: true, ttl: 120, data: .srv(priority: 0, weight: 0, port: 7250, target: sinkLocal)),
            DNSResourceRecord(name: sinkLocal, cacheFlush: true, ttl: 120, data: .a([127, 0, 0, 1])),
        ]
    )

    @Test func responseDecodes() throws {
        let message = try DNSMessage.decode(bytes: Self.response)
        #expect(message == Self.responseMessage)
    }

    @Test func responseEncodesWithCompression() throws {
        #expect(Array(try Self.responseMessage.encode().readableBytesView) == Self.response)
    }

    @Test func uncompressedEncodingDecodesToTheSameMessage() throws {
        let plain = try Self.responseMessage.encode(compress: false)
        #expect(plain.readableBytes > Self.response.count)
        #expect(try DNSMessage.decode(plain) == Self.responseMessage)
    }
}

/// What independent implementations sent decodes, re-encodes to an equal message, and
/// means what they meant.
@Suite struct CapturedDatagramTests {
    static func roundTrip(_ bytes: [UInt8]) throws -> DNSMessage {
        let message = try DNSMessage.decode(bytes: bytes)
        #expect(try DNSMessage.decode(message.encode()) == message)
        return message
    }

    @Test func digLegacyQueryWithEDNS() throws {
        let message = try Self.roundTrip(CapturedDatagrams.digLegacyQuery)
        #expect(!message.header.isResponse && message.header.recursionDesired && message.header.id != 0)
        #expect(message.questions == [DNSQuestion(name: GoldenTests.sinkLocal, type: .a)])
        // EDNS OPT (RFC 6891) is kept as opaque data.
        #expect(message.additionals.first?.type == .opt)
        // No compression in it: re-encoding gives the same bytes.
        #expect(Array(try message.encode().readableBytesView) == CapturedDatagrams.digLegacyQuery)
    }

    @Test func zeroconfProbe() throws {
        let message = try Self.roundTrip(CapturedDatagrams.zeroconfProbe)
        #expect(!message.header.isResponse)
        #expect(message.questions.first?.unicastResponse == true)
        #expect(message.authorities.first?.data == .ptr(try DNSName(["ZC Sink", "_display", "_tcp", "local"])))
    }

    @Test func zeroconfAnnouncementAndAnswer() throws {
        for bytes in [CapturedDatagrams.zeroconfAnnouncement, CapturedDatagrams.zeroconfResponseWithAdditionals] {
            let message = try Self.roundTrip(bytes)
            #expect(message.header.isResponse && message.header.authoritativeAnswer && message.header.id == 0)
            let records = message.answers + message.additionals
            let instance = try DNSName(["ZC Sink", "_display", "_tcp", "local"])
            #expect(records.contains { $0.name == instance && $0.data == .srv(priority: 0, weight: 0, port: 7250, target: try! DNSName(["zcsink", "local"])) && $0.cacheFlush })
            #expect(records.contains { $0.name == instance && $0.data.txtStrings == ["container_id={42}"] })
            #expect(records.contains { $0.data == .a([127, 0, 0, 1]) })
        }
    }

    @Test func zeroconfGoodbyeHasTTLZero() throws {
        let message = try Self.roundTrip(CapturedDatagrams.zeroconfGoodbye)
        #expect(!message.answers.isEmpty && message.answers.allSatisfy { $0.ttl == 0 })
    }

    @Test func zeroconfBrowseQuery() throws {
        let message = try Self.roundTrip(CapturedDatagrams.zeroconfBrowseQuery)
        #expect(message.questions == [DNSQuestion(name: GoldenTests.service, type: .ptr, unicastResponse: true)])
    }

    /// Our responder treats python-zeroconf's browse query like any other: it answers it.
    @Test func responderAnswersZeroconfBrowse() throws {
        var responder = ResponderTests.makeResponder()
        let now = ResponderTests.runToRunning(&responder) + .seconds(60 * 30)
        let query = try DNSMessage.decode(bytes: CapturedDatagrams.zeroconfBrowseQuery)
        _ = responder.messageReceived(query, from: ResponderTests.peer, now: now)
        let due = try #require(responder.nextDeadline)
        let sent = ResponderTests.sent(responder.timerFired(now: due))
        #expect(sent.first?.0.answers.first?.data == .ptr(ResponderTests.tvName))
    }
}
