import SSTPRelay
import SSTPRoles
import WDSMSIRoles
import WinteropTransport

enum ServeRoles {
    /// The server roles `winterop serve` runs; each protocol adds its own in its region.
    static let all: [any ServeRole] = [
        // MARK: MS-MICE roles
        miceSink,

        // MARK: MS-GRVSSTP roles
        SSTPDeviceServeRole(),
        SSTPRelayServeRole(),

        // MARK: MS-WDSMSI roles
        WDSServeRole(),
        // MARK: MS-TCC roles
        tccServer,

        // MARK: other protocols' roles
    ]
}
