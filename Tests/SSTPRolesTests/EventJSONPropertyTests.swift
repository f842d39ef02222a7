import PropertyBased
import SSTPCore
@testable import SSTPRoles
import Testing
import WinteropFormat
import WinteropTransport

/// The events written straight into bytes (one `message` per received message, `sent`
/// and `acknowledged` per sent one) write exactly what their `fields` describe.
@Suite struct EventJSONPropertyTests {
    /// The fields of one event, drawn from random numbers the property check supplies.
    struct Fields {
        var numbers: [UInt64]
        var used = 0
        init(_ numbers: [UInt64]) { self.numbers = numbers }
        mutating func next() -> UInt64 {
            defer { used += 1 }
            return numbers[used % numbers.count]
        }
        mutating func flag() -> Bool { next() & 1 == 0 }
        /// Text with what JSON must escape: quotes, backslashes, control characters, non-ASCII.
        mutating func text() -> String {
            let pieces = ["a", "stdin#1", "\"", "\\", "\n", "\t", "\u{01}", "é", "ψ", "/", " ", "grooveIdentity://x"]
            return (0..<Int(next() % 6)).map { _ in pieces[Int(next() % UInt64(pieces.count))] }.joined()
        }
    }

    static let numbers = Gen<UInt64>.value(in: 0...UInt64.max).array(of: 97)

    static func storedMessage(_ numbers: [UInt64]) -> SSTPDeviceEvent.StoredMessage {
        var f = Fields(numbers)
        let message = SSTP.Message(
            sessionId: UInt32(truncatingIfNeeded: f.next()), messageCount: 0, track: f.flag(), acknowledgeImmediately: f.flag(),
            doNotDeliverIfOffline: f.flag(), userRef: f.text(),
            ephemeral: f.flag() ? SSTP.Message.Ephemeral(ttl: UInt32(truncatingIfNeeded: f.next())) : nil,
            streamSize: f.flag() ? SSTP.Message.StreamSize(byteStreamSize: f.next(), sessionSize: f.next(), messageSize: f.next()) : nil,
            fragmentation: f.flag() ? SSTP.Message.Fragmentation(
                numFragments: UInt32(truncatingIfNeeded: f.next()), thisFragment: UInt32(truncatingIfNeeded: f.next()),
                fragmentId: f.text(), fragmentOffset: f.next()) : nil)
        return SSTPDeviceEvent.StoredMessage(
            connection: Int(truncatingIfNeeded: f.next() >> 1), session: message.sessionId, sequence: f.next(),
            entry: f.flag() ? SSTP.AddressingEntry(resourceURL: f.text(), identityURL: f.text(), deviceURL: f.text()) : nil,
            size: Int(truncatingIfNeeded: f.next() >> 1), sha256: f.flag() ? f.text() : nil, message: message, path: f.text(),
            offset: f.flag() ? Int(truncatingIfNeeded: f.next() >> 2) : nil)
    }

    static func bytes(_ write: (inout [UInt8]) -> Void) -> [UInt8] {
        var bytes: [UInt8] = []
        write(&bytes)
        return bytes
    }

    @Test func aMessageEventWritesWhatItsFieldsSay() async {
        await propertyCheck(count: 300, input: Self.numbers) { numbers in
            let event = SSTPDeviceEvent.message(Self.storedMessage(numbers))
            let direct = Self.bytes { event.writeJSON(to: &$0) }
            #expect(direct == Self.bytes { event.writeJSONFromFields(to: &$0) })
            #expect(String(decoding: direct, as: UTF8.self) == JSONValue.object([("event", .string("message"))] + event.fields).jsonText)
        }
    }

    @Test func sentAndAcknowledgedEventsWriteWhatTheirFieldsSay() async {
        await propertyCheck(count: 200, input: Self.numbers) { numbers in
            var f = Fields(numbers)
            let index = Int(truncatingIfNeeded: f.next())
            for event in [SSTPSenderEvent.sent(message: index, name: f.text(), sha256: f.flag() ? f.text() : nil),
                          SSTPSenderEvent.acknowledged(message: index, name: f.text())] {
                #expect(Self.bytes { event.writeJSON(to: &$0) } == Self.bytes { event.writeJSONFromFields(to: &$0) })
            }
        }
    }
}
