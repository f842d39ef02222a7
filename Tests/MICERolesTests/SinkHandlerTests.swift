import MICECore
@testable import MICERoles
import NIOCore
import NIOEmbedded
import Testing
import WinteropTransport
import WinteropWire

/// The sink's connection handler on an `EmbeddedChannel`: bytes in, bytes and events out,
/// timers driven by the embedded loop's clock — no sockets, no sleeps (the model is
/// postgres-nio's `PostgresChannelHandlerTests`).
@Suite struct SinkHandlerTests {
    static let sink = try! SocketAddress(ipAddress: "127.0.0.1", port: 7250)
    static let source = try! SocketAddress(ipAddress: "127.0.0.2", port: 50000)

    static func channel(_ events: EventCollector, sessionTimeout: Duration = .seconds(30)) throws -> EmbeddedChannel {
        let configuration = MICESinkConfiguration(
            friendlyName: "Embedded Sink", pinMode: .off, streamEncryption: false,
            sessionEstablishmentTimeout: sessionTimeout, dtls: nil)
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(MICEFrameDecoder()),
            SinkConnectionHandler(configuration: configuration, pin: nil, events: events.log,
                                  sinkAddress: sink, sourceAddress: source, onClosed: { _ in }),
        ])
        try channel.connect(to: source).wait()
        return channel
    }

    static func frame(_ message: MICEMessage) throws -> ByteBuffer {
        ByteBuffer(bytes: try message.encoded())
    }

    /// Everything the handler wrote, decoded.
    static func written(_ channel: EmbeddedChannel) throws -> [MICEMessage] {
        var messages: [MICEMessage] = []
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
            while let frame = try MICEFrame.read(from: &buffer) {
                messages.append(try MICEMessage.decode(frame))
            }
        }
        return messages
    }

    @Test func connectingReportsTheSource() throws {
        let events = EventCollector("sink")
        let channel = try Self.channel(events)
        #expect(events.names() == ["connected"])
        #expect(events.first("connected") == #"{"event":"connected","peer":"127.0.0.2:50000"}"#)
        _ = try? channel.finish()
    }

    @Test func theSessionTimerTearsDownWithoutASleep() throws {
        let events = EventCollector("sink")
        let channel = try Self.channel(events, sessionTimeout: .seconds(30))
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
        #expect(events.names() == ["connected", "closed"])
        #expect(events.first("closed")?.contains(#""reason":"session_establishment_timeout""#) == true, "\(events.all)")
    }

    @Test func aMalformedFrameTearsDownWithTheReason() throws {
        let events = EventCollector("sink")
        let channel = try Self.channel(events)
        // Size 1 is smaller than the 4-byte header (2.2).
        try channel.writeInbound(ByteBuffer(bytes: [0x00, 0x01, 0x01, 0x01]))
        #expect(!channel.isActive)
        #expect(events.names() == ["connected", "closed"])
        #expect(events.first("closed")?.contains("malformed") == true)
    }

    @Test func aFrameSplitAcrossReadsIsReassembled() throws {
        let events = EventCollector("sink")
        let channel = try Self.channel(events)
        let stop = MICEMessage.stopProjection(StopProjectionMessage(friendlyName: "Src", sourceID: SourceID(Array(repeating: 7, count: 16))!))
        let bytes = Array(try Self.frame(stop).readableBytesView)
        try channel.writeInbound(ByteBuffer(bytes: bytes.prefix(3)))
        #expect(events.names() == ["connected"])
        try channel.writeInbound(ByteBuffer(bytes: bytes.dropFirst(3)))
        #expect(events.names() == ["connected", "stop_projection", "closed"])
        #expect(!channel.isActive)
    }

    @Test func theShutdownGoodbyeIsStopProjection() throws {
        let events = EventCollector("sink")
        let channel = try Self.channel(events)
        channel.pipeline.fireUserInboundEventTriggered(SinkCommand.disconnect)
        let written = try Self.written(channel)
        #expect(written.map(\.type) == [.stopProjection])
        if case .stopProjection(let stop) = written.first {
            #expect(stop.friendlyName == "Embedded Sink")
        }
        #expect(!channel.isActive)
        #expect(events.names().last == "closed")
    }

    /// A Security Options TLV in a STOP_PROJECTION, and an unknown TLV type, are skipped
    /// and reported; the message itself is acted on.
    @Test func skippedTLVsAreReportedAndTheMessageStillCounts() throws {
        let events = EventCollector("sink")
        let channel = try Self.channel(events)
        let sid = [UInt8](repeating: 7, count: 16)
        let tlvs: [UInt8] = [0x05, 0x00, 0x01, 0x01] + [0x7F, 0x00, 0x02, 0xAA, 0xBB] + [0x03, 0x00, 0x10] + sid
        let size = UInt16(4 + tlvs.count)
        try channel.writeInbound(ByteBuffer(bytes: [UInt8(size >> 8), UInt8(size & 0xFF), 0x01, 0x02] + tlvs))
        #expect(events.names() == ["connected", "tlv_ignored", "tlv_ignored", "stop_projection", "closed"])
        #expect(events.all[1] == #"{"event":"tlv_ignored","message":"STOP_PROJECTION","type":5,"length":1,"reason":"not_defined_for_message"}"#)
        #expect(events.all[2] == #"{"event":"tlv_ignored","message":"STOP_PROJECTION","type":127,"length":2,"reason":"unknown_type"}"#)
    }
}
