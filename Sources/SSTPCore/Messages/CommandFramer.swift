import NIOCore
import WinteropWire

extension SSTP {
    /// Cuts the commands (2.2) out of successive reads of the byte stream without copying
    /// them: a command that lies wholly inside one read is handed on as a slice of that
    /// read, and only the one command split across two reads is gathered into a buffer of
    /// its own (at most 65535 bytes, the largest CommandLength of 2.2). So the payload of
    /// the Data commands (2.2.11) reaches the resource handler in the buffer the socket
    /// filled, and memory stays bounded by one command beyond the reads in hand.
    ///
    /// Every CommandId and CommandLength is checked (``CommandStream/commandLength(at:)``)
    /// as soon as its header is in, before the body is awaited.
    public struct CommandFramer: Sendable {
        /// The start of the command the last read ended inside, if it did.
        private var partial: ByteBuffer?

        public init() {}

        /// Bytes held of a command split across reads (0 between commands).
        public var pendingBytes: Int { partial?.readableBytes ?? 0 }

        /// Hands every whole command in `incoming` (with what the previous reads left) to
        /// `frame`, in stream order, and keeps the incomplete tail for the next read.
        public mutating func process(_ incoming: ByteBuffer, _ frame: (ByteBuffer) -> Void) throws(WireError) {
            var input = incoming
            if var pending = partial.take() {
                // Complete the split command: first its header, then its body.
                while true {
                    let wanted = try CommandStream.commandLength(at: pending) ?? CommandStream.headerSize
                    let missing = wanted - pending.readableBytes
                    if missing <= 0 { break }
                    guard input.readableBytes > 0, var piece = input.readSlice(length: min(missing, input.readableBytes)) else {
                        partial = pending
                        return
                    }
                    pending.writeBuffer(&piece)
                }
                guard let command = try CommandStream.nextFrame(from: &pending) else { return }
                frame(command)
            }
            while let command = try CommandStream.nextFrame(from: &input) {
                frame(command)
            }
            guard input.readableBytes > 0 else { return }
            // The tail is copied so that the read it came from is not held for it.
            let capacity = max(input.readableBytes, (try CommandStream.commandLength(at: input)) ?? CommandStream.headerSize)
            var tail = ByteBufferAllocator().buffer(capacity: capacity)
            tail.writeBuffer(&input)
            partial = tail
        }
    }
}

extension SSTP.CommandStream {
    /// CommandId (1 byte) and CommandLength (2 bytes), the header every command starts with (2.2).
    public static let headerSize = 3
}
