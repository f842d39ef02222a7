import NIOCore
import WDSMSICore
import WinteropTransport

/// The UDP shell of the server (3.1.5.3): each datagram goes to the core with the address
/// it arrived on, and whatever the core answers goes back to its source.
final class WDSServerHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let core: WDSServerCore
    /// Addresses to offer when the datagram does not say where it arrived (or overrides).
    let configuredAddresses: SessionInitiationServer.ServerAddresses

    init(core: WDSServerCore, configuredAddresses: SessionInitiationServer.ServerAddresses) {
        self.core = core
        self.configuredAddresses = configuredAddresses
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let addresses = serverAddresses(for: envelope, local: context.channel.localAddress)
        let action = core.withServer {
            $0.udpRequestReceived(envelope.data, serverAddresses: addresses, now: .now())
        }
        let client = envelope.remoteAddress.hostPortText
        switch action {
        case .drop(let error):
            core.events.emit(WDSServerEvent.datagramDropped(client: client, error: error))
        case .reply(let bytes, let report):
            // Flushed once per read burst (channelReadComplete): replies leave in one sendmmsg.
            context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: bytes)), promise: nil)
            core.events.emit(WDSServerEvent.from(report, client: client, path: "udp"))
            if case .sessionCreated = report {
                core.armSessionTimer(on: context.eventLoop)
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    /// The server address of a session: the configured one, else the address the request
    /// arrived on (the bound address, or the packet's destination for a wildcard bind).
    func serverAddresses(for envelope: AddressedEnvelope<ByteBuffer>, local: SocketAddress?) -> SessionInitiationServer.ServerAddresses {
        var addresses = configuredAddresses
        let arrived = envelope.metadata?.packetInfo.map(\.destinationAddress) ?? local
        if let arrived, let text = arrived.ipAddress, let address = IPAddress(text).map(Self.unmapped), !Self.isUnspecified(address) {
            if address.isIPv6 {
                if addresses.ipv6 == nil { addresses.ipv6 = address }
            } else if addresses.ipv4 == nil {
                addresses.ipv4 = address
            }
        }
        return addresses
    }

    /// An IPv4-mapped IPv6 address (::ffff:a.b.c.d, from a dual-stack socket) as IPv4.
    static func unmapped(_ address: IPAddress) -> IPAddress {
        let b = address.bytes
        if b.count == 16, b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xFF, b[11] == 0xFF {
            return .v4(Array(b[12..<16]))
        }
        return address
    }

    static func isUnspecified(_ address: IPAddress) -> Bool {
        address.bytes.allSatisfy { $0 == 0 }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A failed send or an ICMP error for one peer never stops the server.
    }
}
