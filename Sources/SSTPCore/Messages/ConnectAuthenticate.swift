import NIOCore
import WinteropWire

extension SSTP {
    /// ConnectAuthenticate (0x03, 2.2.3): answers the security challenge of a ConnectResponse.
    public struct ConnectAuthenticate: SSTPCommandBody {
        public static let commandId = CommandId.connectAuthenticate

        /// AuthenticationToken: an MS-GRVSSTPS message, opaque here.
        public var authenticationToken: [UInt8]

        public init(authenticationToken: [UInt8]) { self.authenticationToken = authenticationToken }

        public init(decodingBody reader: inout WireReader, version: Version) throws(WireError) {
            authenticationToken = try reader.token("AuthenticationToken")
        }

        public func encodeBody(into buffer: inout ByteBuffer, version: Version) throws(EncodingError) {
            try buffer.writeToken(authenticationToken, field: "AuthenticationToken")
        }
    }
}
