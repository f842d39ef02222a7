import NIOCore
import WinteropWire
import WinteropFormat

/// Any packet of the UDP path (2.2.2), typed.
public enum UDPMessage: Sendable, Hashable {
    case request(MulticastSessionInitiationRequest)
    case reply(MulticastSessionInitiationReply)
    case error(MulticastSessionInitiationError)

    /// Decodes a datagram: OpCode 0x01 is a request; 0x02 an error packet when it carries
    /// WDSMCSE_OPT_ERROR (2.2.2.3), otherwise a reply.
    public init(decoding buffer: ByteBuffer) throws(WireError) {
        let packet = try UDPPacket(decoding: buffer)
        switch packet.opCode {
        case .request:
            self = .request(try MulticastSessionInitiationRequest(packet))
        case .reply:
            if packet.options.contains(where: { $0.id == UDPOption.Id.error.rawValue }) {
                self = .error(try MulticastSessionInitiationError(packet))
            } else {
                self = .reply(try MulticastSessionInitiationReply(packet))
            }
        }
    }

    public init(decoding bytes: some Sequence<UInt8>) throws(WireError) {
        try self.init(decoding: ByteBuffer(bytes: bytes))
    }

    public func encoded() throws(EncodingError) -> ByteBuffer {
        switch self {
        case .request(let m): return try m.encoded()
        case .reply(let m): return try m.encoded()
        case .error(let m): return try m.encoded()
        }
    }

    public var json: JSONValue {
        switch self {
        case .request(let m): return m.json
        case .reply(let m): return m.json
        case .error(let m): return m.json
        }
    }
}
