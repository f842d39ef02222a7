import NIOCore
import WinteropWire

extension SSTP {
    /// ConnectResponse (0x02, 2.2.2): answers a Connect.
    ///
    /// Which fields exist depends on ResponseId: the flag byte is absent with
    /// NewVersionRequired, the TargetDevice fields exist only with Ok, and RetryTime
    /// only with TryLater or WillUpgrade.
    public struct ConnectResponse: SSTPCommandBody {
        public static let commandId = CommandId.connectResponse

        /// ResponseId values of 2.2.2.1.
        public enum ResponseId: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
            case ok = 0x00
            case wrongDevice = 0x01
            case tryLater = 0x02
            case willUpgrade = 0x03
            case wontUpgrade = 0x04
            case newVersionRequired = 0x05
            case authenticationFailed = 0x06
            case connectRejected = 0x09

            /// Whether the RetryTime field exists for this ResponseId.
            public var hasRetryTime: Bool { self == .tryLater || self == .willUpgrade }
            public var description: String {
                switch self {
                case .ok: return "Ok"
                case .wrongDevice: return "WrongDevice"
                case .tryLater: return "TryLater"
                case .willUpgrade: return "WillUpgrade"
                case .wontUpgrade: return "WontUpgrade"
                case .newVersionRequired: return "NewVersionRequired"
                case .authenticationFailed: return "AuthenticationFailed"
                case .connectRejected: return "ConnectRejected"
                }
            }
        }

        /// The flag bits S (SingleHopFanout, 0x02) and M (Multi-dropFanout, 0x01); r1–r5 and C are zero.
        public static let singleHopFanoutBit: UInt8 = 0x02
        public static let multidropFanoutBit: UInt8 = 0x01

        public var majorVersion: UInt8
        public var minorVersion: UInt8
        public var responseId: ResponseId
        public var authenticationToken: [UInt8]
        /// S: the sender accepts single-hop fanout sessions. Always false with NewVersionRequired (no flag byte).
        public var singleHopFanout: Bool
        /// M: the sender accepts multi-drop fanout sessions. Always false with NewVersionRequired.
        public var multidropFanout: Bool
        public var peerProductVersion: String
        public var peerProductCapabilities: String
        /// TargetDeviceURLs: the sender's LocalDeviceURLs; present exactly when ResponseId is Ok.
        public var targetDeviceURLs: [String]
        /// RetryTime in seconds; present exactly when ResponseId is TryLater or WillUpgrade.
        public var retryTime: UInt32?

        public init(
            majorVersion: UInt8 = Version.major, minorVersion: UInt8, responseId: ResponseId,
            authenticationToken: [UInt8] = [], singleHopFanout: Bool = false, multidropFanout: Bool = false,
            peerProductVersion: String, peerProductCapabilities: String = "",
            targetDeviceURLs: [String] = [], retryTime: UInt32? = nil
        ) {
            self.majorVersion = majorVersion
            self.minorVersion = minorVersion
            self.responseId = responseId
            self.authenticationToken = authenticationToken
            self.singleHopFanout = singleHopFanout
            self.multidropFanout = multidropFanout
            self.peerProductVersion = peerProductVersion
            self.peerProductCapabilities = peerProductCapabilities
            self.targetDeviceURLs = targetDeviceURLs
            self.retryTime = retryTime
        }

        public init(decodingBody reader: inout WireReader, version: Version) throws(WireError) {
            majorVersion = try reader.readUInt8(field: "MajorVersionNumber")
            minorVersion = try reader.readUInt8(field: "MinorVersionNumber")
            let raw = try reader.readUInt8(field: "ResponseId")
            guard let responseId = ResponseId(rawValue: raw) else {
                throw reader.error("ResponseId \(raw) is not a value of 2.2.2.1")
            }
            self.responseId = responseId
            authenticationToken = try reader.token("AuthenticationToken")
            if responseId == .newVersionRequired {
                singleHopFanout = false
                multidropFanout = false
            } else {
                let flags = try reader.readUInt8(field: "flags (r1-r5, C, S, M)")
                guard flags & ~(Self.singleHopFanoutBit | Self.multidropFanoutBit) == 0 else {
                    throw reader.error("ConnectResponse bits r1-r5 and C MUST be zero (flags \(flags))")
                }
                singleHopFanout = flags & Self.singleHopFanoutBit != 0
                multidropFanout = flags & Self.multidropFanoutBit != 0
            }
            peerProductVersion = try reader.url("PeerProductVersion")
            peerProductCapabilities = try reader.url("PeerProductCapabilities")
            if responseId == .ok {
                let count = Int(try reader.readUInt8(field: "NumTargetDeviceURLs"))
                var urls: [String] = []
                for index in 0..<count { urls.append(try reader.url("TargetDeviceURLs[\(index)]")) }
                targetDeviceURLs = urls
                try reader.expectZeros(1, field: "Reserved")
            } else {
                targetDeviceURLs = []
            }
            retryTime = responseId.hasRetryTime ? try reader.le32("RetryTime") : nil
        }

        public func encodeBody(into buffer: inout ByteBuffer, version: Version) throws(EncodingError) {
            guard (retryTime != nil) == responseId.hasRetryTime else {
                throw EncodingError("ConnectResponse: RetryTime MUST be present exactly with TryLater or WillUpgrade")
            }
            guard responseId == .ok || targetDeviceURLs.isEmpty else {
                throw EncodingError("ConnectResponse: TargetDeviceURLs MUST NOT be present unless ResponseId is Ok")
            }
            guard targetDeviceURLs.count <= 255 else { throw EncodingError("ConnectResponse: more than 255 TargetDeviceURLs") }
            guard responseId != .newVersionRequired || (!singleHopFanout && !multidropFanout) else {
                throw EncodingError("ConnectResponse: NewVersionRequired has no flag byte to carry S or M")
            }
            buffer.writeInteger(majorVersion)
            buffer.writeInteger(minorVersion)
            buffer.writeInteger(responseId.rawValue)
            try buffer.writeToken(authenticationToken, field: "AuthenticationToken")
            if responseId != .newVersionRequired {
                buffer.writeInteger((singleHopFanout ? Self.singleHopFanoutBit : 0) | (multidropFanout ? Self.multidropFanoutBit : 0))
            }
            try buffer.writeURL(peerProductVersion, field: "PeerProductVersion")
            try buffer.writeURL(peerProductCapabilities, field: "PeerProductCapabilities")
            if responseId == .ok {
                buffer.writeInteger(UInt8(targetDeviceURLs.count))
                for url in targetDeviceURLs { try buffer.writeURL(url, field: "TargetDeviceURLs") }
                buffer.writeInteger(UInt8(0))
            }
            if let retryTime { buffer.writeLE(retryTime) }
        }
    }
}
