import NIOCore
import TCCCore
import WinteropWire

/// Fuzz entry points for MS-TCC: every accepted message re-encodes to bytes that decode
/// to the same value, and both state machines take any byte stream without trapping.
enum TCCFuzz {
    static let keys = UnpairedKeys(k1: Array(repeating: 1, count: 32), k2: Array(repeating: 2, count: 32), k3: Array(repeating: 3, count: 32))

    @Sendable static func message(_ bytes: [UInt8]) {
        // The same bytes as an SDP data element (the tethering record search, 2.1).
        if let element = try? SDPDataElement.decode(bytes) {
            _ = TCCServiceRecord.rfcommChannel(inAttributeList: element)
        }
        var buffer = ByteBuffer(bytes: bytes)
        var server = ServerStateMachine(configuration: .init(keys: keys, channelPaired: true))
        var client = ClientStateMachine(configuration: .init(keys: keys))
        let now = NIODeadline.uptimeNanoseconds(0)
        _ = server.clientConnected(now: now)
        _ = client.channelEstablished(now: now, wallClock: FileTime(0))
        while let frame = TCCFrame.read(from: &buffer) {
            _ = server.messageReceived(frame, now: now, wallClock: FileTime(0))
            _ = client.messageReceived(frame, now: now)
            guard let id = frame.messageId, let message = try? TCCMessage.decode(id, payload: frame.payload) else { continue }
            guard let again = try? message.encoded() else {
                preconditionFailure("an accepted MS-TCC message did not re-encode")
            }
            precondition((try? TCCMessage.decode(bytes: again)) == message, "MS-TCC message round trip changed it")
            if case .bringUpSuccessResponseUnpaired(let sealed) = message, let keys {
                _ = try? UnpairedCrypto.open(sealed, clientTimestamp: FileTime(0), keys: keys)
            }
            _ = message.json.jsonText
        }
    }
}
