import NIOCore
import WinteropWire

extension SSTP {
    /// Connect (0x01, 2.2.1): opens an SSTP connection and describes the sending device.
    public struct Connect: SSTPCommandBody {
        public static let commandId = CommandId.connect

        /// MajorVersionNumber: 0x01 from every 1.x device; kept as received so 3.1.5.1 can
        /// answer other majors with WillUpgrade, WontUpgrade or NewVersionRequired.
        public var majorVersion: UInt8
        /// MinorVersionNumber: 0x05 or 0x06 (a later minor is compatible, 1.7).
        public var minorVersion: UInt8
        /// TargetDeviceURL: the DeviceURL the sender expects the recipient to have.
        public var targetDeviceURL: String
        /// SourceDeviceURLs: the sender's LocalDeviceURLs (at most 255).
        public var sourceDeviceURLs: [String]
        /// AuthenticationToken: an MS-GRVSSTPS message, opaque here.
        public var authenticationToken: [UInt8]
        /// PeerProductVersion: informational, e.g. "Groove Client 14.0 4006".
        public var peerProductVersion: String
        /// PeerProductCapabilities: informational, "TOKEN;TOKEN" (often empty).
        public var peerProductCapabilities: String

        public init(
            majorVersion: UInt8 = Version.major, minorVersion: UInt8, targetDeviceURL: String,
            sourceDeviceURLs: [String], authenticationToken: [UInt8] = [],
            peerProductVersion: String, peerProductCapabilities: String = ""
        ) {
            self.majorVersion = majorVersion
            self.minorVersion = minorVersion
            self.targetDeviceURL = targetDeviceURL
            self.sourceDeviceURLs = sourceDeviceURLs
            self.authenticationToken = authenticationToken
            self.peerProductVersion = peerProductVersion
            self.peerProductCapabilities = peerProductCapabilities
        }

        public init(decodingBody reader: inout WireReader, version: Version) throws(WireError) {
            majorVersion = try reader.readUInt8(field: "MajorVersionNumber")
            minorVersion = try reader.readUInt8(field: "MinorVersionNumber")
            try reader.expectZeros(1, field: "Reserved")
            targetDeviceURL = try reader.url("TargetDeviceURL")
            let count = Int(try reader.readUInt8(field: "NumSourceDeviceURLs"))
            var urls: [String] = []
            for index in 0..<count {
                urls.append(try reader.url("SourceDeviceURLs[\(index)]"))
            }
            sourceDeviceURLs = urls
            authenticationToken = try reader.token("AuthenticationToken")
            peerProductVersion = try reader.url("PeerProductVersion")
            peerProductCapabilities = try reader.url("PeerProductCapabilities")
        }

        public func encodeBody(into buffer: inout ByteBuffer, version: Version) throws(EncodingError) {
            guard sourceDeviceURLs.count <= 255 else {
                throw EncodingError("Connect: \(sourceDeviceURLs.count) SourceDeviceURLs; NumSourceDeviceURLs is one byte")
            }
            buffer.writeInteger(majorVersion)
            buffer.writeInteger(minorVersion)
            buffer.writeInteger(UInt8(0))
            try buffer.writeURL(targetDeviceURL, field: "TargetDeviceURL")
            buffer.writeInteger(UInt8(sourceDeviceURLs.count))
            for url in sourceDeviceURLs { try buffer.writeURL(url, field: "SourceDeviceURLs") }
            try buffer.writeToken(authenticationToken, field: "AuthenticationToken")
            try buffer.writeURL(peerProductVersion, field: "PeerProductVersion")
            try buffer.writeURL(peerProductCapabilities, field: "PeerProductCapabilities")
        }
    }
}
