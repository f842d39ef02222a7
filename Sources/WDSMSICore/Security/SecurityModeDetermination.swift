import WinteropWire

/// How a client reads the security modes of its session from a WDSMC_OP_INITIATE reply:
/// the flowcharts of 2.2.1.1 (client security mode, `media/image3.png`) and 2.2.1.2
/// (server security mode, `media/image4.png`).
public enum SecurityModeDetermination {
    /// Figure 3 (2.2.1.1): the mode the client uses for the packets it sends.
    public static func clientSecurityMode(
        secMode: SecurityModes?, symKeyPresent: Bool
    ) throws(WireError) -> SecurityMode {
        let reference = WDSMSI.reference("2.2.1.1")
        guard let secMode else {
            // SecMode absent: SymKey present → HMAC hash, else no security.
            return symKeyPresent ? .hash : .none
        }
        switch secMode.client {
        case .none: return .none
        case .hash:
            guard symKeyPresent else {
                throw reference.error("client security mode WDSMCTP_SEC_HASH needs the SymKey variable, which is missing")
            }
            return .hash
        case .checksum: return .checksum
        case .sign:
            throw reference.error("client security mode WDSMCTP_SEC_SIGN is not a mode clients use")
        }
    }

    /// Figure 4 (2.2.1.2): the mode the server uses for the packets it sends.
    public static func serverSecurityMode(
        secMode: SecurityModes?, signKeyPresent: Bool, symKeyPresent: Bool
    ) throws(WireError) -> SecurityMode {
        let reference = WDSMSI.reference("2.2.1.2")
        guard let secMode else {
            // SecMode absent: SignKey present → signing; else SymKey present → HMAC; else none.
            if signKeyPresent { return .sign }
            return symKeyPresent ? .hash : .none
        }
        switch secMode.server {
        case .sign:
            guard signKeyPresent else {
                throw reference.error("server security mode WDSMCTP_SEC_SIGN needs the SignKey variable, which is missing")
            }
            return .sign
        case .hash:
            guard symKeyPresent else {
                throw reference.error("server security mode WDSMCTP_SEC_HASH needs the SymKey variable, which is missing")
            }
            return .hash
        case .none: return .none
        case .checksum: return .checksum
        }
    }

    /// Both flowcharts applied to a reply.
    public static func modes(for reply: InitiateReply) throws(WireError) -> SecurityModes {
        SecurityModes(
            server: try serverSecurityMode(secMode: reply.secMode, signKeyPresent: reply.signKey != nil, symKeyPresent: reply.symKey != nil),
            client: try clientSecurityMode(secMode: reply.secMode, symKeyPresent: reply.symKey != nil)
        )
    }
}
