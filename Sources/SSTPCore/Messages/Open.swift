import NIOCore
import WinteropWire

extension SSTP {
    /// Open (0x05, 2.2.5): opens a session to one addressing entry.
    public struct Open: SSTPCommandBody {
        public static let commandId = CommandId.open
        /// The ResourceURL of a WAN DPP presence session, the one session whose IdentityURL may be empty (2.2.5.1, <3>, <4>).
        public static let wanDPPResourceURL = "grooveWANDPP"

        public var sessionId: UInt32
        /// ResourceURL, IdentityURL and DeviceURL of the destination.
        public var addressingEntry: AddressingEntry
        /// The I bit (0x01 of the flag byte): unused, receivers MUST ignore it; kept to re-encode exactly.
        public var identityTargetedBit: Bool

        public init(sessionId: UInt32, addressingEntry: AddressingEntry, identityTargetedBit: Bool = false) {
            self.sessionId = sessionId
            self.addressingEntry = addressingEntry
            self.identityTargetedBit = identityTargetedBit
        }

        public init(decodingBody reader: inout WireReader, version: Version) throws(WireError) {
            sessionId = try reader.le32("SessionId")
            let resource = try reader.url("ResourceURL")
            let identity = try reader.url("IdentityURL")
            let device = try reader.url("DeviceURL")
            guard !resource.isEmpty else { throw reader.error("ResourceURL MUST NOT be empty") }
            guard !identity.isEmpty || resource == Self.wanDPPResourceURL else {
                throw reader.error("IdentityURL MUST NOT be empty outside a WAN DPP session")
            }
            addressingEntry = AddressingEntry(resourceURL: resource, identityURL: identity, deviceURL: device)
            let flags = try reader.readUInt8(field: "flags (r1-r7, I)")
            guard flags & 0xFE == 0 else { throw reader.error("Open bits r1-r7 MUST be zero (flags \(flags))") }
            identityTargetedBit = flags & 0x01 != 0
            try reader.expectZeros(2, field: "Reserved")
        }

        public func encodeBody(into buffer: inout ByteBuffer, version: Version) throws(EncodingError) {
            guard !addressingEntry.resourceURL.isEmpty else { throw EncodingError("Open: ResourceURL MUST NOT be empty") }
            guard !addressingEntry.identityURL.isEmpty || addressingEntry.resourceURL == Self.wanDPPResourceURL else {
                throw EncodingError("Open: IdentityURL MUST NOT be empty outside a WAN DPP session")
            }
            buffer.writeLE(sessionId)
            try buffer.writeURL(addressingEntry.resourceURL, field: "ResourceURL")
            try buffer.writeURL(addressingEntry.identityURL, field: "IdentityURL")
            try buffer.writeURL(addressingEntry.deviceURL, field: "DeviceURL")
            buffer.writeInteger(UInt8(identityTargetedBit ? 0x01 : 0x00))
            buffer.writeLE(UInt16(0))
        }
    }

    /// A session's destination (3.1.1.3): the resource handler of an identity, on one
    /// device or (DeviceURL empty) on whichever device the identity uses.
    public struct AddressingEntry: Sendable, Hashable, CustomStringConvertible {
        public var resourceURL: String
        public var identityURL: String
        /// Empty for an identity-targeted session.
        public var deviceURL: String

        public init(resourceURL: String, identityURL: String, deviceURL: String = "") {
            self.resourceURL = resourceURL
            self.identityURL = identityURL
            self.deviceURL = deviceURL
        }

        public var description: String { "\(resourceURL) for \(identityURL) on \(deviceURL.isEmpty ? "any device" : deviceURL)" }
    }
}
