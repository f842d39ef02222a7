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
