import Foundation
import NFPSCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A share sender written straight on the wire with the core's codec, for behaviour
/// `winterop nfps send` never shows: a later version's larger Share header, an echo
/// that differs, a death in the middle of the stream.
final class ScriptedSender: Sendable {
    enum Script: Sendable {
        /// Everything as 3.2.7.2 says.
        case plain
        /// A future sender: Share header HeaderSize 12 with two unknown bytes.
        case futureHeaderSize
        /// Echo the Socket Connect header with Reserved1 changed.
        case differingEcho
        /// Send the first half of the ciphertext, then close (reset: RST instead of FIN).
        case dieMidStream(reset: Bool)
        /// Send the first half of the ciphertext, then nothing until the receiver closes.
        case stallMidStream
        /// Read the Socket Connect header and never answer it.
        case silent
    }

    let port: Int
    let connections = NIOLockedValueBox(0)
    private let server: any Channel

    init(script: Script, package: [UInt8], secret: [UInt8]) async throws {
        let connections = self.connections
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        self.server = server.channel
        self.port = server.channel.localAddress?.port ?? 0
        Task {
            try await server.executeThenClose { inbound in
                for try await connection in inbound {
                    connections.withLockedValue { $0 += 1 }
                    try? await Self.serve(connection, script: script, package: package, secret: secret)
                }
            }
        }
    }

    func stop() { server.close(promise: nil) }

    private static func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, script: Script, package: [UInt8], secret: [UInt8]) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var pending = ByteBuffer()
            var iterator = inbound.makeAsyncIterator()
            func read(_ count: Int) async throws -> ByteBuffer? {
                while pending.readableBytes < count {
                    guard var more = try await iterator.next() else { return nil }
                    pending.writeBuffer(&more)
                }
                return pending.readSlice(length: count)
            }
            guard let connect = try await read(SocketConnectHeader.size) else { return }
            var header = try SocketConnectHeader.decode(bytes: connect.readableBytesView)
            if case .silent = script {
                while try await iterator.next() != nil {}
                return
            }
            if case .differingEcho = script { header.reserved1 = 1 }
            try await outbound.write(ByteBuffer(bytes: header.bytes))
            if case .differingEcho = script { return }
            let future: UInt16 = { if case .futureHeaderSize = script { return 12 } else { return 10 } }()
            var share = ByteBuffer(bytes: ShareHeader(totalContentSizeEstimate: UInt64(package.count), headerSize: future).bytes)
            if future == 12 { share.setBytes([0xEE, 0xFF], at: share.writerIndex - 2) }
            try await outbound.write(share)
            guard try await read(2) != nil else { return }
            let iv = ShareCipher.randomIV()
            var encryptor = try SharePackageEncryptor(key: ShareCipher.symmetricKey(sharedSecretKey: secret), iv: iv)
            var stream = ByteBuffer(bytes: iv)
            try encryptor.encrypt(ByteBuffer(bytes: package), into: &stream)
            try encryptor.finish(into: &stream)
            if case .stallMidStream = script {
                try await outbound.write(stream.getSlice(at: stream.readerIndex, length: stream.readableBytes / 2) ?? ByteBuffer())
                while try await iterator.next() != nil {}
                return
            }
            if case .dieMidStream(let reset) = script {
                // Cut at a block boundary, the case a footer check alone could miss.
                let half = (stream.readableBytes / 2) / 16 * 16
                try await outbound.write(stream.getSlice(at: stream.readerIndex, length: half) ?? ByteBuffer())
                if reset {
                    try await (connection.channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
                }
                return
            }
            try await outbound.write(stream)
        }
    }
}
