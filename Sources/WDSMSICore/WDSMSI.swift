import WinteropWire

/// MS-WDSMSI: Windows Deployment Services Multicast Session Initiation.
///
/// Two request paths reach one server (1.4): the UDP packets of 2.2.2 and the
/// WDSMC_OP_INITIATE operation (2.2.1) carried in a WDS Control Protocol packet (MS-WDSC 2.2).
public enum WDSMSI {
    /// The specification these rules come from.
    public static let spec = "MS-WDSMSI"
    /// The server's well-known UDP port (1.9).
    public static let serverPort = 5041
    /// The Multicast Session Initiation Endpoint GUID (1.9), under which WDSMC_OP_INITIATE lives.
    public static let endpointGUID = WDSC.GUID(uuidString: "6f13a317-3687-4b54-81a5-504daa9062fa")!
    /// WDSMC_OP_INITIATE (2.2): request that content be set up for a multicast session.
    public static let opInitiate: UInt32 = 0x0000_0006
    /// The client's retransmission interval over UDP (3.1.6: 1 second).
    public static let retransmitInterval: Duration = .seconds(1)

    /// A reference into this specification, for errors.
    public static func reference(_ section: String) -> SpecReference {
        SpecReference(spec, section)
    }
}
