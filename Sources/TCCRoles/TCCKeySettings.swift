/// The key options both MS-TCC roles take, as a person gives them.
public protocol TCCKeySettings: Sendable {
    /// The JSON key file of K1, K2 and K3: requests carry HMAC and Timestamp (revision 10.0).
    var keys: String? { get }
    /// A TLS-PSK key file: TLS 1.2 with that key around every TCP connection.
    var psk: String? { get }
}
