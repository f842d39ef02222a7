/// Which side of the DTLS handshake an endpoint plays. In MS-MICE the Miracast Source is
/// the DTLS client (its first SECURITY_HANDSHAKE carries the ClientHello, 3.2.5.4) and the
/// Sink is the server (3.1.5.5).
public enum DTLSRole: Sendable, Equatable {
    case client
    case server
}
