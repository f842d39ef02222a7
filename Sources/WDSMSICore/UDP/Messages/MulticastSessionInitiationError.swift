import NIOCore
import WinteropWire
import WinteropFormat

/// Multicast Session Initiation Error Packet (2.2.2.3): the Win32 error that kept the
/// server from setting up the session. It is a WDSMCSE_OP_REPLY packet whose options
/// hold WDSMCSE_OPT_ERROR.
public struct MulticastSessionInitiationError: Sendable, Hashable {
    /// WDSMCSE_OPT_ERROR: a 32-bit Win32 error code.
    public var error: Win32Error

    public init(error: Win32Error) {
        self.error = error
    }

    static let reference = WDSMSI.reference("2.2.2.3")

    public init(_ packet: UDPPacket) throws(WireError) {
        let reference = Self.reference
        guard packet.opCode == .reply else {
            throw reference.error("OpCode is \(packet.opCode), not WDSMCSE_OP_REPLY")
        }
        guard let option = try packet.knownOptions(reference)[.error] else {
            throw reference.error("the error packet must include WDSMCSE_OPT_ERROR")
        }
        error = Win32Error(try option.number(UInt32.self, reference))
    }

    public func packet() -> UDPPacket {
        UDPPacket(opCode: .reply, options: [.number(.error, error.code)])
    }

    public func encoded() throws(EncodingError) -> ByteBuffer {
        try packet().encoded()
    }

    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [("packet", .string("error")), ("error", .integer(error.code))]
        if let name = error.name { fields.append(("errorName", .string(name))) }
        return .object(fields)
    }
}
