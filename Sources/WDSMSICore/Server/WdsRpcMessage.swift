import NIOCore
import WinteropWire

/// The result of WdsRpcMessage (MS-WDSC 3.1.4.1): the call's return value and, when it
/// succeeded, the reply packet.
public struct WdsRpcResult: Sendable, Hashable {
    /// The RPC return value: ERROR_SUCCESS, or the failure before a reply existed (3.1.4.2).
    public var status: Win32Error
    /// The reply packet; its OpCode-ErrorCode may itself carry the operation's error.
    public var reply: ByteBuffer?
    /// What happened, for the application's events.
    public var report: SessionInitiationServer.Report?
    /// Why the call failed, when it did before the operation ran.
    public var failure: String?
}

/// Who made the RPC call (MS-WDSC 2.1.1): WDSMC_OP_INITIATE requires an authenticated caller.
public enum WdsRpcCaller: Sendable, Hashable {
    case unauthenticated
    /// Authenticated at RPC_C_AUTHN_LEVEL_PKT_PRIVACY, as the user with this SID (MS-DTYP 2.4.2).
    case authenticated(userSid: [UInt8])
}

extension SessionInitiationServer {
    /// WdsRpcMessage (MS-WDSC 3.1.4.1) for the Multicast Session Initiation endpoint: the
    /// server's steps in order. Failures before the operation return a status and no reply;
    /// the operation's own errors come back in a reply's OpCode-ErrorCode (3.1.4.2).
    public mutating func wdsRpcMessage(
        _ requestPacket: ByteBuffer, caller: WdsRpcCaller, serverAddresses: ServerAddresses, now: NIODeadline
    ) -> WdsRpcResult {
        func failure(_ status: Win32Error, _ why: String) -> WdsRpcResult {
            WdsRpcResult(status: status, reply: nil, report: nil, failure: why)
        }
        // Global Server State must be Running.
        guard case .running = state else { return failure(.notReady, "the server is stopping") }
        // Validate the Endpoint Header, then the rest of the packet's structure.
        let packet: WDSC.Packet
        do {
            packet = try WDSC.Packet(decoding: requestPacket)
        } catch {
            return failure(.invalidParameter, error.description)
        }
        // Only the Multicast Session Initiation endpoint is registered here.
        guard packet.endpointGUID == WDSMSI.endpointGUID else {
            return failure(.invalidParameter, "Endpoint GUID \(packet.endpointGUID) is not registered")
        }
        // WDSMC_OP_INITIATE is Authenticated (MS-WDSMSI 2.2).
        guard case .authenticated(let userSid) = caller else {
            return failure(.accessDenied, "WDSMC_OP_INITIATE requires an authenticated caller")
        }
        // The provider offers only WDSMC_OP_INITIATE.
        guard packet.opCodeOrErrorCode == WDSMSI.opInitiate else {
            return failure(.invalidFunction, "OpCode 0x\(String(packet.opCodeOrErrorCode, radix: 16)) is not offered by the Multicast Session Initiation endpoint")
        }
        // Extract the variables; the required ones must be there.
        let request: InitiateRequest
        do {
            request = try InitiateRequest(packet)
        } catch {
            return failure(.invalidParameter, error.description)
        }
        let (result, report) = initiateRequestReceived(request, userSid: userSid, serverAddresses: serverAddresses, now: now)
        let replyPacket: WDSC.Packet
        switch result {
        case .success(let reply): replyPacket = reply.packet()
        case .failure(let error): replyPacket = InitiateReply.errorPacket(error)
        }
        guard let bytes = try? replyPacket.encoded() else {
            return failure(.invalidParameter, "the reply does not encode")
        }
        return WdsRpcResult(status: .success, reply: bytes, report: report, failure: nil)
    }
}
