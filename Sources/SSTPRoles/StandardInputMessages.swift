import Foundation
import NIOCore
import WinteropTransport

/// `sstp send --stdin-messages`: standard input as many messages, each a 4-byte
/// big-endian length followed by that many bytes, until the end of input. Standard input
/// is read to its end before anything is sent.
public enum StandardInputMessages {
    /// Splits `input` into messages; a length that runs past the end is refused (exit 2)
    /// naming the message, so a truncated stream never sends a partial message.
    public static func split(_ input: ByteBuffer) throws(RoleFailure) -> [ByteBuffer] {
        var input = input
        var messages: [ByteBuffer] = []
        while input.readableBytes > 0 {
            let number = messages.count + 1
            guard let length = input.readInteger(endianness: .big, as: UInt32.self) else {
                throw .usage("sstp send --stdin-messages: message \(number) has a length prefix of \(input.readableBytes) bytes (4 are needed); each message is a 4-byte big-endian length then its bytes")
            }
            guard let message = input.readSlice(length: Int(length)) else {
                throw .usage("sstp send --stdin-messages: message \(number) says \(length) bytes but standard input ends after \(input.readableBytes); each message is a 4-byte big-endian length then its bytes")
            }
            messages.append(message)
        }
        return messages
    }

    /// Reads `descriptor` (standard input) to its end.
    static func readAll(_ descriptor: Int32 = STDIN_FILENO) throws(RoleFailure) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 1 << 20)
        while true {
            var failed: Int32 = 0
            let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 1 << 20) { raw -> Int in
                while true {
                    let n = Foundation.read(descriptor, raw.baseAddress!, raw.count)
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 { failed = errno; return 0 }
                    return n
                }
            }
            if failed != 0 { throw .usage("sstp send --stdin-messages: cannot read standard input: \(String(cString: strerror(failed)))") }
            if count == 0 { return buffer }
        }
    }
}
