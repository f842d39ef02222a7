import NFPSCore
import NIOCore
import WinteropWire

/// `winterop decode nfps-connect|nfps-share|nfps-reply`: the MS-NFPS headers (2.2.1–2.2.3).
extension DecodeKind {
    static let nfpsConnect = DecodeKind(name: "nfps-connect", summary: "MS-NFPS Socket Connect header (12 bytes, 2.2.1)") { bytes, _ in
        try SocketConnectHeader.decode(bytes: bytes.readableBytesView).json
    }
    static let nfpsShare = DecodeKind(name: "nfps-share", summary: "MS-NFPS Share header (HeaderSize ≥ 10, 2.2.2)") { bytes, _ in
        try ShareHeader.decode(bytes: bytes.readableBytesView).json
    }
    static let nfpsReply = DecodeKind(name: "nfps-reply", summary: "MS-NFPS Reply header (HeaderSize ≥ 2, 2.2.3)") { bytes, _ in
        try ReplyHeader.decode(bytes: bytes.readableBytesView).json
    }
}
