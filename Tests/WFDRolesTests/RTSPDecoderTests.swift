import NIOCore
import NIOEmbedded
import Testing
import WFDCore
import WFDRoles

/// The RTSP framing and session handler on an EmbeddedChannel: garbage that keeps framing
/// gets a 400 and the session goes on; lost framing closes the connection.
@Suite struct RTSPDecoderTests {
    static func channel() throws -> (EmbeddedChannel, [WFDAction]) {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RTSPMessageDecoder()))
        try channel.pipeline.syncOperations.addHandler(WFDSessionHandler(machine: WFDSinkStateMachine(configuration: .init())) { _ in })
        return (channel, [])
    }

    static func written(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
            text += buffer.readString(length: buffer.readableBytes) ?? ""
        }
        return text
    }

    @Test func garbageGetsA400AndTheSessionGoesOn() throws {
        let (channel, _) = try Self.channel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7236)).wait()
        try channel.writeInbound(ByteBuffer(string: "HELLO\r\nCSeq: 5\r\n\r\n"))
        #expect(try Self.written(channel) == "RTSP/1.0 400 Bad Request\r\nCSeq: 5\r\n\r\n")
        // A valid M1 split in two still gets its answer and the sink's M2.
        try channel.writeInbound(ByteBuffer(string: "OPTIONS * RTSP/1.0\r\nRequire: org.wfa"))
        try channel.writeInbound(ByteBuffer(string: ".wfd1.0\r\nCSeq: 1\r\n\r\n"))
        let reply = try Self.written(channel)
        #expect(reply.hasPrefix("RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: org.wfa.wfd1.0, GET_PARAMETER, SET_PARAMETER\r\n\r\nOPTIONS * RTSP/1.0\r\nCSeq: 1\r\n"))
        #expect(channel.isActive)
        _ = try? channel.finish()
    }

    @Test func lostFramingCloses() throws {
        let (channel, _) = try Self.channel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7236)).wait()
        try channel.writeInbound(ByteBuffer(string: "OPTIONS * RTSP/1.0\r\nCSeq: 2\r\nContent-Length: lots\r\n\r\n"))
        #expect(try Self.written(channel) == "RTSP/1.0 400 Bad Request\r\nCSeq: 2\r\n\r\n")
        #expect(!channel.isActive)
    }
}
