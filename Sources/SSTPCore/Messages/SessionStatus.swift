import NIOCore
import WinteropWire

extension SSTP {
    /// SessionStatus (0x12, 2.2.8): some destinations of a fanout session are gone.
    ///
    /// Parsed per the connection's negotiated version (3.1.5.8). In 1.5 the command names
    /// one destination (or, with an empty IdentityURL, one relay). In 1.6 it ends with
    /// NumFanoutDeviceIndexes: 0 for the single-destination form, or a list of indexes
    /// into the FanoutOpen's entries with both URLs empty. A 1.6 command that ends right
    /// after IdentityURL is the form "supported by both" versions and is accepted
    /// (``fanoutDeviceIndexes`` is then nil).
    public struct SessionStatus: SSTPCommandBody {
        public static let commandId = CommandId.sessionStatus

        /// StatusId values of 2.2.8.1.
        public enum StatusId: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
            case dnsLookupFailed = 0x01
            case hostNotReachable = 0x02
            case connectionClosed = 0x03
            case quotaWouldBeExceeded = 0x04
            case lockedOut = 0x05

            /// Statuses about a relay server rather than one recipient (1.5: DeviceURL is a relay URL).
            public var concernsRelay: Bool { rawValue <= 0x03 }

            public var description: String {
                switch self {
                case .dnsLookupFailed: return "DNSLookupFailed"
                case .hostNotReachable: return "HostNotReachable"
                case .connectionClosed: return "ConnectionClosed"
                case .quotaWouldBeExceeded: return "QuotaWouldBeExceeded"
                case .lockedOut: return "LockedOut"
                }
            }
        }

        public var sessionId: UInt32
        public var statusId: StatusId
        public var deviceURL: String
        public var identityURL: String
        /// 1.6 only: nil when NumFanoutDeviceIndexes is absent, [] when it is 0, else the indexes.
        public var fanoutDeviceIndexes: [UInt16]?

        public init(sessionId: UInt32, statusId: StatusId, deviceURL: String, identityURL: String, fanoutDeviceIndexes: [UInt16]? = nil) {
            self.sessionId = sessionId
            self.statusId = statusId
            self.deviceURL = deviceURL
            self.identityURL = identityURL
            self.fanoutDeviceIndexes = fanoutDeviceIndexes
        }

        /// The indexes this command lists (none for the single-destination form).
        public var indexes: [UInt16] { fanoutDeviceIndexes ?? [] }

        public init(decodingBody reader: inout WireReader, version: Version) throws(WireError) {
            sessionId = try reader.le32("SessionId")
            let raw = try reader.readUInt8(field: "StatusId")
            guard let statusId = StatusId(rawValue: raw) else {
                throw reader.error("StatusId \(raw) is not a value of 2.2.8.1")
            }
            self.statusId = statusId
            try reader.expectZeros(1, field: "Reserved")
            deviceURL = try reader.url("DeviceURL")
            identityURL = try reader.url("IdentityURL")
            switch version {
            case .v1_5:
                fanoutDeviceIndexes = nil
            case .v1_6:
                if reader.isAtEnd {
                    fanoutDeviceIndexes = nil
                } else {
                    let count = Int(try reader.le16("NumFanoutDeviceIndexes"))
                    guard count * 2 <= reader.remaining else {
                        throw reader.error("NumFanoutDeviceIndexes \(count) does not fit in the \(reader.remaining) bytes left")
                    }
                    var indexes: [UInt16] = []
                    indexes.reserveCapacity(count)
                    for index in 0..<count { indexes.append(try reader.le16("FanoutDeviceIndexes[\(index)]")) }
                    fanoutDeviceIndexes = indexes
                }
            }
            if let problem = validate(version: version) { throw reader.error(problem) }
        }

        /// The MUSTs of 2.2.8.1 about which fields are empty, or nil when they hold.
        public func validate(version: Version) -> String? {
            switch version {
            case .v1_5:
                if fanoutDeviceIndexes != nil { return "SSTP 1.5 SessionStatus has no NumFanoutDeviceIndexes" }
                if statusId.concernsRelay && !identityURL.isEmpty {
                    return "SSTP 1.5: with StatusId \(statusId) IdentityURL MUST be empty (DeviceURL is a relay URL)"
                }
                if !statusId.concernsRelay && identityURL.isEmpty {
                    return "SSTP 1.5: with StatusId \(statusId) IdentityURL MUST NOT be empty"
                }
            case .v1_6:
                if indexes.isEmpty {
                    if identityURL.isEmpty { return "SSTP 1.6 single-destination SessionStatus: IdentityURL MUST NOT be empty" }
                } else if !deviceURL.isEmpty || !identityURL.isEmpty {
                    return "SSTP 1.6 SessionStatus with FanoutDeviceIndexes: DeviceURL and IdentityURL MUST be empty"
                }
            }
            return nil
        }

        public func encodeBody(into buffer: inout ByteBuffer, version: Version) throws(EncodingError) {
            if let problem = validate(version: version) { throw EncodingError(problem) }
            guard indexes.count <= Int(UInt16.max) else { throw EncodingError("SessionStatus: more than 65535 indexes") }
            buffer.writeLE(sessionId)
            buffer.writeInteger(statusId.rawValue)
            buffer.writeInteger(UInt8(0))
            try buffer.writeURL(deviceURL, field: "DeviceURL")
            try buffer.writeURL(identityURL, field: "IdentityURL")
            if version == .v1_6, let indexes = fanoutDeviceIndexes {
                buffer.writeLE(UInt16(indexes.count))
                for index in indexes { buffer.writeLE(index) }
            }
        }
    }
}
