import SSTPRoles
import MICERoles
import WinteropTransport

enum ServeRoles {
    /// The server roles `winterop serve` runs; each protocol adds its own in its region.
    static let all: [any ServeRole] = [
        // MARK: MS-MICE roles
        MICESinkServeRole(dtls: try? OpenSSLDTLSFactory.selfSigned(commonName: "winterop")),

        // MARK: MS-GRVSSTP roles
        SSTPDeviceServeRole(),

        // MARK: other protocols' roles
    ]
}
