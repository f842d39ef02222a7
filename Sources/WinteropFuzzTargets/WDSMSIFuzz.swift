import NIOCore
import WDSMSICore
import WinteropWire

/// Fuzz entry points for MS-WDSMSI and the MS-WDSC encoding it uses.
enum WDSMSIFuzz {
    /// A datagram on UDP 5041: whatever decodes must re-encode to the same bytes
    /// (unknown options aside) and decode again to the same message.
    @Sendable static func udpPacket(_ bytes: [UInt8]) {
        guard let message = try? UDPMessage(decoding: bytes) else { return }
        guard let again = try? message.encoded() else {
            preconditionFailure("an accepted WDSMSI packet did not re-encode: \(message)")
        }
        precondition((try? UDPMessage(decoding: again)) == message, "re-encoded WDSMSI packet decodes differently")
        if let packet = try? UDPPacket(decoding: bytes), let raw = try? packet.encoded() {
            precondition(raw.readableBytesView.elementsEqual(bytes), "UDPPacket re-encoding differs")
        }
    }

    /// A server whose one namespace ("n") has content named by any string: the server core
    /// must answer or drop every datagram, and whatever it sends must decode.
    @Sendable static func server(_ bytes: [UInt8]) {
        // Built per input: a lazily made static would be reported as a leak by LeakSanitizer.
        guard var server = try? SessionInitiationServer(configuration: fuzzConfiguration(), firstSessionId: 1) else {
            preconditionFailure("the fuzz server does not start")
        }
        let addresses = SessionInitiationServer.ServerAddresses(ipv4: IPAddress("192.0.2.1"), ipv6: IPAddress("2001:db8::1"))
        switch server.udpRequestReceived(ByteBuffer(bytes: bytes), serverAddresses: addresses, now: .uptimeNanoseconds(0)) {
        case .drop: break
        case .reply(let reply, _):
            precondition((try? UDPMessage(decoding: reply)) != nil, "the server sent a packet that does not decode")
        }
        let result = server.wdsRpcMessage(ByteBuffer(bytes: bytes), caller: .authenticated(userSid: [1, 0, 0, 0, 0, 0, 0, 0]), serverAddresses: addresses, now: .uptimeNanoseconds(0))
        if let reply = result.reply {
            precondition((try? WDSC.Packet(decoding: reply)) != nil, "the server sent an MS-WDSC packet that does not decode")
        }
    }

    struct AnyContent: ContentProvider {
        func initialize(configurationString: String) throws(ContentProviderError) {}
        func content(named content: String, configurationString: String) -> Result<ContentInfo, Win32Error> {
            content.hasPrefix("x") ? .failure(.fileNotFound) : .success(ContentInfo(size: UInt64(content.utf8.count) * 1000, metadata: content.hasPrefix("m") ? [1] : nil))
        }
    }

    static func fuzzConfiguration() -> ServerConfiguration {
        ServerConfiguration(
            providers: [.init(name: "any", allowUnauthenticated: true, provider: AnyContent())],
            namespaces: [.init(name: "n", contentProvider: "any", configurationString: "")],
            securityModes: SecurityModes(server: .sign, client: .hash),
            keys: .init(signKey: [6, 2, 0, 0], hashKey: [8, 2, 0, 0])
        )
    }

    /// A WDS Control Protocol packet: whatever decodes must re-encode and decode to itself,
    /// and its WDSMC_OP_INITIATE reading must hold up the same way.
    @Sendable static func wdscPacket(_ bytes: [UInt8]) {
        guard let packet = try? WDSC.Packet(decoding: bytes) else { return }
        guard let again = try? packet.encoded() else {
            preconditionFailure("an accepted MS-WDSC packet did not re-encode")
        }
        precondition(again.readableBytes <= bytes.count, "re-encoding grew the packet")
        precondition((try? WDSC.Packet(decoding: again)) == packet, "re-encoded MS-WDSC packet decodes differently")
        if let request = try? InitiateRequest(packet) {
            precondition((try? request.encoded()).flatMap { try? InitiateRequest(WDSC.Packet(decoding: $0)) } == request, "InitiateRequest round trip")
        }
        if let reply = try? InitiateReply(packet) {
            precondition((try? reply.encoded()).flatMap { try? InitiateReply(WDSC.Packet(decoding: $0)) } == reply, "InitiateReply round trip")
            _ = try? SecurityModeDetermination.modes(for: reply)
        }
    }
}
