import NIOCore
import WinteropWire
import WinteropFormat

/// Multicast Session Initiation Reply Packet (2.2.2.2): the multicast session that
/// now carries the requested content.
public struct MulticastSessionInitiationReply: Sendable, Hashable {
    /// WDSMCSE_OPT_MULTICAST_ADDR.
    public var multicastAddress: IPAddress
    /// WDSMCSE_OPT_SERVER_ADDR: the server interface the session uses.
    public var serverAddress: IPAddress
    /// WDSMCSE_OPT_MULTICAST_PORT.
    public var multicastPort: UInt16
    /// WDSMCSE_OPT_SERVER_PORT: MUST equal the multicast port (2.2.2.2).
    public var serverPort: UInt16
    /// WDSMCSE_OPT_CONTENT_SIZE, in bytes.
    public var contentSize: UInt64
    /// WDSMCSE_OPT_BLOCK_SIZE, in bytes.
    public var blockSize: UInt32
    /// WDSMCSE_OPT_TOTAL_BLOCKS.
    public var totalBlocks: UInt64
    /// WDSMCSE_OPT_SESSION_ID.
    public var sessionId: UInt32

    public init(
        multicastAddress: IPAddress, serverAddress: IPAddress, multicastPort: UInt16, serverPort: UInt16,
        contentSize: UInt64, blockSize: UInt32, totalBlocks: UInt64, sessionId: UInt32
    ) {
        self.multicastAddress = multicastAddress
        self.serverAddress = serverAddress
        self.multicastPort = multicastPort
        self.serverPort = serverPort
        self.contentSize = contentSize
        self.blockSize = blockSize
        self.totalBlocks = totalBlocks
        self.sessionId = sessionId
    }

    static let reference = WDSMSI.reference("2.2.2.2")

    /// Reads the reply from a decoded packet; every option of 2.2.2.2 must be there with its size.
    public init(_ packet: UDPPacket) throws(WireError) {
        let reference = Self.reference
        guard packet.opCode == .reply else {
            throw reference.error("OpCode is \(packet.opCode), not WDSMCSE_OP_REPLY")
        }
        let options = try packet.knownOptions(reference)
        func required(_ id: UDPOption.Id) throws(WireError) -> UDPOption {
            guard let option = options[id] else {
                throw reference.error("the reply must include \(id)")
            }
            return option
        }
        multicastAddress = try required(.multicastAddress).ipAddress(reference)
        serverAddress = try required(.serverAddress).ipAddress(reference)
        multicastPort = try required(.multicastPort).number(UInt16.self, reference)
        serverPort = try required(.serverPort).number(UInt16.self, reference)
        contentSize = try required(.contentSize).number(UInt64.self, reference)
        blockSize = try required(.blockSize).number(UInt32.self, reference)
        totalBlocks = try required(.totalBlocks).number(UInt64.self, reference)
        sessionId = try required(.sessionId).number(UInt32.self, reference)
    }

    /// The packet, options in the order of 2.2.2.2's table.
    public func packet() -> UDPPacket {
        UDPPacket(opCode: .reply, options: [
            UDPOption(id: UDPOption.Id.multicastAddress.rawValue, value: multicastAddress.bytes),
            UDPOption(id: UDPOption.Id.serverAddress.rawValue, value: serverAddress.bytes),
            .number(.multicastPort, multicastPort),
            .number(.serverPort, serverPort),
            .number(.contentSize, contentSize),
            .number(.blockSize, blockSize),
            .number(.totalBlocks, totalBlocks),
            .number(.sessionId, sessionId),
        ])
    }

    public func encoded() throws(EncodingError) -> ByteBuffer {
        try packet().encoded()
    }

    public var json: JSONValue {
        .object([
            ("packet", .string("reply")),
            ("multicastAddress", .string(multicastAddress.description)),
            ("serverAddress", .string(serverAddress.description)),
            ("multicastPort", .integer(multicastPort)),
            ("serverPort", .integer(serverPort)),
            ("contentSize", .integer(contentSize)),
            ("blockSize", .integer(blockSize)),
            ("totalBlocks", .integer(totalBlocks)),
            ("sessionId", .integer(sessionId)),
        ])
    }
}
