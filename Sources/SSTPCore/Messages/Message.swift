import NIOCore
import WinteropWire

extension SSTP {
    /// Message (0x0d, 2.2.10): begins a message sequence (Message, Data…, EndMessage) and
    /// carries a connection-level acknowledgment in MessageCount.
    public struct Message: SSTPCommandBody {
        public static let commandId = CommandId.message

        /// Flag bits, bit 0 being the high bit of the byte (DESIGN: bit order).
        public enum Bit {
            public static let r1: UInt8 = 0x80
            public static let fragmentation: UInt8 = 0x40
            public static let track: UInt8 = 0x20
            public static let streamSize: UInt8 = 0x10
            public static let r2: UInt8 = 0x08
            public static let acknowledgeImmediately: UInt8 = 0x04
            public static let ephemeral: UInt8 = 0x02
            public static let doNotDeliverIfOffline: UInt8 = 0x01
        }

        /// Ephemeral Fields: TTL, optionally followed by Reserved1 (4) and Reserved2 (1), both zero.
        public struct Ephemeral: Sendable, Hashable {
            /// Time to live in seconds; 0 is infinite.
            public var ttl: UInt32
            /// Whether the optional 5 reserved bytes follow TTL.
            public var hasReservedFields: Bool
            public init(ttl: UInt32, hasReservedFields: Bool = false) {
                self.ttl = ttl
                self.hasReservedFields = hasReservedFields
            }
        }

        /// StreamSize Fields: three 8-byte sizes (24 bytes; the "96" of 2.2.10.1 is bits). 0 is unknown.
        public struct StreamSize: Sendable, Hashable {
            public var byteStreamSize: UInt64
            public var sessionSize: UInt64
            public var messageSize: UInt64
            public init(byteStreamSize: UInt64, sessionSize: UInt64, messageSize: UInt64) {
                self.byteStreamSize = byteStreamSize
                self.sessionSize = sessionSize
                self.messageSize = messageSize
            }
        }

        /// Fragmentation Fields.
        public struct Fragmentation: Sendable, Hashable {
            public var numFragments: UInt32
            public var thisFragment: UInt32
            public var fragmentId: String
            public var fragmentOffset: UInt64
            public init(numFragments: UInt32, thisFragment: UInt32, fragmentId: String, fragmentOffset: UInt64) {
                self.numFragments = numFragments
                self.thisFragment = thisFragment
                self.fragmentId = fragmentId
                self.fragmentOffset = fragmentOffset
            }
        }

        public var sessionId: UInt32
        /// MessageCount: messages newly acknowledged by this command (3.1.4.2.1).
        public var messageCount: UInt32
        /// G: the receiving application SHOULD track this message.
        public var track: Bool
        /// A (AcknowledgeImmediately).
        public var acknowledgeImmediately: Bool
        /// D (DoNotDeliverIfOffline).
        public var doNotDeliverIfOffline: Bool
        public var userRef: String
        /// Present exactly when the E bit is set.
        public var ephemeral: Ephemeral?
        /// Present exactly when the S bit is set.
        public var streamSize: StreamSize?
        /// Present exactly when the F bit is set.
        public var fragmentation: Fragmentation?

        public init(
            sessionId: UInt32, messageCount: UInt32 = 0, track: Bool = false, acknowledgeImmediately: Bool = false,
            doNotDeliverIfOffline: Bool = false, userRef: String = "", ephemeral: Ephemeral? = nil,
            streamSize: StreamSize? = nil, fragmentation: Fragmentation? = nil
        ) {
            self.sessionId = sessionId
            self.messageCount = messageCount
            self.track = track
            self.acknowledgeImmediately = acknowledgeImmediately
            self.doNotDeliverIfOffline = doNotDeliverIfOffline
            self.userRef = userRef
            self.ephemeral = ephemeral
            self.streamSize = streamSize
            self.fragmentation = fragmentation
        }

        /// The flag byte this message is sent with.
        public var flags: UInt8 {
            var flags: UInt8 = 0
            if fragmentation != nil { flags |= Bit.fragmentation }
            if track { flags |= Bit.track }
            if streamSize != nil { flags |= Bit.streamSize }
            if acknowledgeImmediately { flags |= Bit.acknowledgeImmediately }
            if ephemeral != nil { flags |= Bit.ephemeral }
            if doNotDeliverIfOffline { flags |= Bit.doNotDeliverIfOffline }
            return flags
        }

        public init(decodingBody reader: inout WireReader, version: Version) throws(WireError) {
            sessionId = try reader.le32("SessionId")
            messageCount = try reader.le32("MessageCount")
            let flags = try reader.readUInt8(field: "flags")
            guard flags & (Bit.r1 | Bit.r2) == 0 else { throw reader.error("Message bits r1 and r2 MUST be zero (flags \(flags))") }
            track = flags & Bit.track != 0
            acknowledgeImmediately = flags & Bit.acknowledgeImmediately != 0
            doNotDeliverIfOffline = flags & Bit.doNotDeliverIfOffline != 0
            userRef = try reader.url("UserRef")
            let hasE = flags & Bit.ephemeral != 0
            let hasS = flags & Bit.streamSize != 0
            let hasF = flags & Bit.fragmentation != 0
            // The Ephemeral Fields are 4 or 9 bytes (DESIGN: accept both). The 4-byte form is
            // tried first; the 9-byte form only when the rest does not parse exactly after 4.
            if hasE {
                let saved = reader
                if let parsed = try? Self.tail(&reader, ephemeralReserved: false, hasS: hasS, hasF: hasF) {
                    (ephemeral, streamSize, fragmentation) = parsed
                } else {
                    reader = saved
                    (ephemeral, streamSize, fragmentation) = try Self.tail(&reader, ephemeralReserved: true, hasS: hasS, hasF: hasF)
                }
            } else {
                (ephemeral, streamSize, fragmentation) = try Self.tail(&reader, ephemeralReserved: nil, hasS: hasS, hasF: hasF)
            }
        }

        /// Reads the optional field groups; `ephemeralReserved` nil means no Ephemeral Fields.
        private static func tail(
            _ reader: inout WireReader, ephemeralReserved: Bool?, hasS: Bool, hasF: Bool
        ) throws(WireError) -> (Ephemeral?, StreamSize?, Fragmentation?) {
            var ephemeral: Ephemeral?
            if let reserved = ephemeralReserved {
                let ttl = try reader.le32("TTL")
                if reserved {
                    try reader.expectZeros(4, field: "Reserved1")
                    try reader.expectZeros(1, field: "Reserved2")
                }
                ephemeral = Ephemeral(ttl: ttl, hasReservedFields: reserved)
            }
            var streamSize: StreamSize?
            if hasS {
                streamSize = StreamSize(
                    byteStreamSize: try reader.le64("ByteStreamSize"),
                    sessionSize: try reader.le64("SessionSize"),
                    messageSize: try reader.le64("MessageSize")
                )
            }
            var fragmentation: Fragmentation?
            if hasF {
                fragmentation = Fragmentation(
                    numFragments: try reader.le32("NumFragments"),
                    thisFragment: try reader.le32("ThisFragment"),
                    fragmentId: try reader.url("FragmentId"),
                    fragmentOffset: try reader.le64("FragmentOffset")
                )
            }
            try reader.expectEnd("the Message fields")
            return (ephemeral, streamSize, fragmentation)
        }

        public func encodeBody(into buffer: inout ByteBuffer, version: Version) throws(EncodingError) {
            buffer.writeLE(sessionId)
            buffer.writeLE(messageCount)
            buffer.writeInteger(flags)
            try buffer.writeURL(userRef, field: "UserRef")
            if let ephemeral {
                buffer.writeLE(ephemeral.ttl)
                if ephemeral.hasReservedFields { buffer.writeRepeatingByte(0, count: 5) }
            }
            if let streamSize {
                buffer.writeLE(streamSize.byteStreamSize)
                buffer.writeLE(streamSize.sessionSize)
                buffer.writeLE(streamSize.messageSize)
            }
            if let fragmentation {
                buffer.writeLE(fragmentation.numFragments)
                buffer.writeLE(fragmentation.thisFragment)
                try buffer.writeURL(fragmentation.fragmentId, field: "FragmentId")
                buffer.writeLE(fragmentation.fragmentOffset)
            }
        }
    }
}
