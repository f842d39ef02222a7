import NIOCore
import WDSMSICore
import WinteropWire
import WinteropFormat

extension DecodeKind {
    /// `wds-udp`: a Session Initiation packet over UDP 5041 (MS-WDSMSI 2.2.2).
    static let wdsUDP = DecodeKind(name: "wds-udp", summary: "an MS-WDSMSI packet over UDP 5041: request, reply or error (2.2.2)") { bytes, _ in
        try UDPMessage(decoding: bytes).json
    }

    /// `wdsc`: a WDS Control Protocol packet (MS-WDSC 2.2.1); a WDSMC_OP_INITIATE request or
    /// reply under the MS-WDSMSI endpoint is also shown with its variables read.
    static let wdsc = DecodeKind(name: "wdsc", summary: "an MS-WDSC packet (headers and variables), with MS-WDSMSI's WDSMC_OP_INITIATE read") { bytes, _ in
        let packet = try WDSC.Packet(decoding: bytes)
        var fields: [(String, JSONValue)] = [("packet", packet.json)]
        if packet.endpointGUID == WDSMSI.endpointGUID {
            if packet.packetType == WDSC.PacketType.request.rawValue, let request = try? InitiateRequest(packet) {
                fields.append(("initiateRequest", request.json))
            } else if packet.opCodeOrErrorCode != 0 {
                fields.append(("error", .string(Win32Error(packet.opCodeOrErrorCode).description)))
            } else {
                fields.append(("initiateReply", try InitiateReply(packet).json))
            }
        }
        return .object(fields)
    }
}
