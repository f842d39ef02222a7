import WinteropWire

/// MS-WDSC, the Windows Deployment Services Control Protocol: the packet and variable
/// encoding (2.2) that the WDSMC_OP_INITIATE path of MS-WDSMSI rides on. All multibyte
/// values are little-endian (2.2.1). The RPC transport itself (WdsRpcMessage, 3.1.4.1)
/// is outside winterop; ``WdsControlEndpoint`` is what an RPC front end would call.
public enum WDSC {
    public static let spec = "MS-WDSC"

    public static func reference(_ section: String) -> SpecReference {
        SpecReference(spec, section)
    }
}
