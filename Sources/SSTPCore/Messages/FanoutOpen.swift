import NIOCore
import WinteropWire

extension SSTP {
    /// FanoutOpen (0x06, 2.2.6): opens a fanout session to a relay server, with one entry per destination.
    /// In 1.5 an entry is IdentityURL, DeviceURL, RelayURL; 1.6 adds FailoverDeviceURLs, which MUST be empty.
    public struct FanoutOpen: SSTPCommandBody {
        public static let commandId = CommandId.fanoutOpen

        /// One FanoutDeviceEntry.
        public struct Entry: Sendable, Hashable {
            public var identityURL: String
            /// Empty for an identity-targeted destination.
            public var deviceURL: String
            /// Empty when the connected relay server itself is the destination's relay.
            public var relayURL: String

            public init(identityURL: String, deviceURL: String = "", relayURL: String = "") {
                self.identityURL = identityURL
                self.deviceURL = deviceURL
                self.relayURL = relayURL
            }
        }

        public var sessionId: UInt32
        public var resourceURL: String
        /// The I bit: unused, receivers MUST ignore it; kept to re-encode exactly.
        public var identityTargetedBit: Bool
        /// FanoutDeviceEntries in order: SessionStatus refers to them by index.
        public var entries: [Entry]

        public init(sessionId: UInt32, resourceURL: String, identityTargetedBit: Bool = false, entries: [Entry]) {
            self.sessionId = sessionId
            self.resourceURL = resourceURL
            self.identityTargetedBit = identityTargetedBit
            self.entries = entries
        }

        public init(decodingBody reader: inout WireReader, version: Version) throws(WireError) {
            sessionId = try reader.le32("SessionId")
            resourceURL = try reader.url("ResourceURL")
            guard !resourceURL.isEmpty else { throw reader.error("ResourceURL MUST NOT be empty") }
            let flags = try reader.readUInt8(field: "flags (r1-r7, I)")
            guard flags & 0xFE == 0 else { throw reader.error("FanoutOpen bits r1-r7 MUST be zero (flags \(flags))") }
            identityTargetedBit = flags & 0x01 != 0
            let count = Int(try reader.le16("NumFanoutDeviceEntries"))
            // Each entry takes at least 3 (1.5) or 4 (1.6) bytes: a count larger than the
            // command can hold is rejected before anything is built.
            let minimumEntry = version == .v1_6 ? 4 : 3
            guard count * minimumEntry <= reader.remaining else {
                throw reader.error("NumFanoutDeviceEntries \(count) does not fit in the \(reader.remaining) bytes left")
            }
            var entries: [Entry] = []
            for index in 0..<count {
                let identity = try reader.url("FanoutDeviceEntry[\(index)].IdentityURL")
                guard !identity.isEmpty else { throw reader.error("FanoutDeviceEntry[\(index)].IdentityURL MUST NOT be empty") }
                let device = try reader.url("FanoutDeviceEntry[\(index)].DeviceURL")
                let relay = try reader.url("FanoutDeviceEntry[\(index)].RelayURL")
                if version == .v1_6 {
                    let failover = try reader.url("FanoutDeviceEntry[\(index)].FailoverDeviceURLs")
                    guard failover.isEmpty else {
                        throw reader.error("FanoutDeviceEntry[\(index)].FailoverDeviceURLs MUST be 0x00 in SSTP 1.6")
                    }
                }
                entries.append(Entry(identityURL: identity, deviceURL: device, relayURL: relay))
            }
            self.entries = entries
            try reader.expectZeros(2, field: "Reserved")
        }

        public func encodeBody(into buffer: inout ByteBuffer, version: Version) throws(EncodingError) {
            guard !resourceURL.isEmpty else { throw EncodingError("FanoutOpen: ResourceURL MUST NOT be empty") }
            guard entries.count <= Int(UInt16.max) else { throw EncodingError("FanoutOpen: more than 65535 entries") }
            buffer.writeLE(sessionId)
            try buffer.writeURL(resourceURL, field: "ResourceURL")
            buffer.writeInteger(UInt8(identityTargetedBit ? 0x01 : 0x00))
            buffer.writeLE(UInt16(entries.count))
            for entry in entries {
                guard !entry.identityURL.isEmpty else { throw EncodingError("FanoutOpen: an entry's IdentityURL MUST NOT be empty") }
                try buffer.writeURL(entry.identityURL, field: "IdentityURL")
                try buffer.writeURL(entry.deviceURL, field: "DeviceURL")
                try buffer.writeURL(entry.relayURL, field: "RelayURL")
                if version == .v1_6 { buffer.writeInteger(UInt8(0)) }
            }
            buffer.writeLE(UInt16(0))
        }
    }
}
