import Foundation
import NIOCore
import SSTPCore
import WinteropWire
import SSTPRelayCore

extension SSTPRelay {
    /// How a ``StoredMessage`` is kept in a row: the Message command as it is encoded on the
    /// wire (SSTP 1.6), so its flags and fields come back exactly; the expiry as wall-clock
    /// seconds since 1970, since the monotonic clock does not survive a restart.
    struct MessageRecord {
        static let version = SSTP.Version.v1_6

        static func command(of message: SSTP.Message) throws -> [UInt8] {
            var buffer = ByteBuffer()
            try SSTP.Command.message(message).encode(into: &buffer, version: version)
            return Array(buffer.readableBytesView)
        }

        static func message(from bytes: [UInt8]) throws -> SSTP.Message {
            guard case .message(let message) = try SSTP.CommandStream.decode(frame: ByteBuffer(bytes: bytes), version: version) else {
                throw RelayStoreError("a stored row does not hold a Message command")
            }
            return message
        }

        /// Wall-clock seconds of a monotonic deadline, measured from `now` / `wallNow`.
        static func wallClock(_ deadline: NIODeadline, now: NIODeadline, wallNow: Date) -> Double {
            wallNow.timeIntervalSince1970 + Double(Int64(deadline.uptimeNanoseconds) - Int64(now.uptimeNanoseconds)) / 1e9
        }

        static func deadline(_ wall: Double, now: NIODeadline, wallNow: Date) -> NIODeadline {
            now + .nanoseconds(Int64((wall - wallNow.timeIntervalSince1970) * 1e9))
        }
    }

    /// The store cannot be opened, read or written.
    public struct RelayStoreError: Error, CustomStringConvertible, Sendable {
        public var description: String
        public init(_ description: String) { self.description = description }
    }
}
