import NFPSCore
import NIOCore
import WinteropWire

/// Fuzz entry points for MS-NFPS.
enum NFPSFuzz {
    /// The first byte picks what the rest is: a Socket Connect header, a Share header,
    /// a Reply header, a footer, or ciphertext fed to the package decryptor in pieces.
    /// Accepted headers must re-encode to the bytes they came from (headers beyond the
    /// defined size re-encode with zeros: only the defined part is compared).
    @Sendable static func headers(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let rest = Array(bytes.dropFirst())
        switch selector % 5 {
        case 0:
            if let header = try? SocketConnectHeader.decode(bytes: rest) {
                precondition(header.bytes == rest, "Socket Connect header did not round-trip")
            }
        case 1:
            var buffer = ByteBuffer(bytes: rest)
            if let header = try? ShareHeader.decode(from: &buffer) {
                precondition(Int(header.headerSize) == rest.count - buffer.readableBytes, "Share header consumed the wrong length")
                precondition(header.bytes.prefix(10).elementsEqual(rest.prefix(10)), "Share header did not round-trip")
            }
        case 2:
            var buffer = ByteBuffer(bytes: rest)
            if let header = try? ReplyHeader.decode(from: &buffer) {
                precondition(Int(header.headerSize) == rest.count - buffer.readableBytes, "Reply header consumed the wrong length")
            }
        case 3:
            if let footer = try? ShareProtocolFooter.decode(bytes: rest) {
                precondition(footer.remainder.count <= 15 && footer.remainder.elementsEqual(rest.prefix(footer.remainder.count)), "footer remainder wrong")
            }
        default:
            let key = ShareCipher.symmetricKey(sharedSecretKey: [selector])
            guard var decryptor = try? SharePackageDecryptor(key: key, iv: [UInt8](repeating: selector, count: 16)) else { return }
            var input = ByteBuffer(bytes: rest)
            var output = ByteBuffer()
            let piece = Int(selector / 5) + 1
            while input.readableBytes > 0, let slice = input.readSlice(length: min(piece, input.readableBytes)) {
                guard (try? decryptor.decrypt(slice, into: &output)) != nil else { return }
            }
            let finished = (try? decryptor.finish(into: &output)) != nil
            precondition(!finished || rest.count % 16 == 0 && rest.count >= 48, "a stream that is not whole blocks finished")
            precondition(output.readableBytes <= rest.count, "decryptor produced more than it was given")
        }
    }
}
