import Foundation
import NFPSCore
import NIOCore
import NIOPosix
import Testing
import WinteropTestSupport
import WinteropWire

/// A share receiver written straight on the wire, reading from one connection.
struct ScriptedConnection {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    static func connect(port: Int) async throws -> ScriptedConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return ScriptedConnection(channel: channel)
    }

    /// Sends `bytes`, then reads until the peer closes (or `limit` bytes came).
    func exchange(_ bytes: [UInt8], then more: [UInt8]? = nil, after count: Int = 0) async throws -> [UInt8] {
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(bytes: bytes))
            var received: [UInt8] = []
            var sentMore = more == nil
            for try await piece in inbound {
                received += piece.readableBytesView
                if !sentMore, received.count >= count, let more {
                    try await outbound.write(ByteBuffer(bytes: more))
                    sentMore = true
                }
            }
            return received
        }
    }
}

extension NFPSProcesses {
    /// `winterop nfps send` against a scripted share receiver (3.1.7.2, 3.2.7.2).
    @Suite struct ScriptedReceiverTests {
        static let id = Hex.decode(NFPS.sessionID) ?? []
        static let secret = Hex.decode(NFPS.secret) ?? []

        /// An unknown SessionID is closed at once and the sender keeps accepting; a later
        /// receiver with a future Reply header (HeaderSize 6, 2.2.3 "MUST accept any value
        /// greater than or equal to 2") gets the package, decryptable with the core.
        @Test func unknownSessionThenFutureReplyHeader() async throws {
            let folder = try NFPS.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("p.bin")
            let package = NFPS.bytes(3000, seed: 21)
            try package.write(to: file)
            let (sender, port) = try await NFPS.sender(["--raw", file.path])
            defer { sender.terminate() }

            let stranger = try await ScriptedConnection.connect(port: port)
            let wrong = SocketConnectHeader(sessionID: 42, connectionType: .global)
            #expect(try await stranger.exchange(wrong.bytes).isEmpty)

            let header = SocketConnectHeader(sessionID: 0x0123_4567_89AB_CDEF, connectionType: .bluetooth)
            let future = ReplyHeader(headerSize: 6).bytes
            let wire = try await ScriptedConnection.connect(port: port)
                .exchange(header.bytes, then: future, after: SocketConnectHeader.size + 10)
            #expect(Array(wire.prefix(12)) == header.bytes)
            #expect(try ShareHeader.decode(bytes: wire[12..<22]).totalContentSizeEstimate == 3000)
            let iv = Array(wire[22..<38])
            var decryptor = try SharePackageDecryptor(key: ShareCipher.symmetricKey(sharedSecretKey: Self.secret), iv: iv)
            var plain = ByteBuffer()
            try decryptor.decrypt(ByteBuffer(bytes: wire[38...]), into: &plain)
            try decryptor.finish(into: &plain)
            #expect(Data(plain.readableBytesView) == package)
            let expected = 38 + (3000 / 16) * 16 + 48
            #expect(wire.count == expected)
            #expect(await sender.finished() == 0, "sender stderr: \(sender.stderr)")
            #expect(sender.event("connected")?["connectionType"] as? Int == 4)
        }

        /// A receiver that completes the handshake, then stops reading: with
        /// `--stall-timeout 1` the sender gives up (a socket closed due to fault), exits 1
        /// and says why, instead of waiting for ever on a full socket.
        @Test func receiverThatStopsReadingTimesOut() async throws {
            let folder = try NFPS.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            // Far more than the socket buffers and the sender's window hold; sparse, so cheap.
            let file = folder.appendingPathComponent("big.bin")
            #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
            let handle = try FileHandle(forWritingTo: file)
            try handle.truncate(atOffset: 256 << 20)
            try handle.close()
            let (sender, port) = try await NFPS.sender(["--raw", file.path, "--stall-timeout", "1"])
            defer { sender.terminate() }
            let header = SocketConnectHeader(sessionID: 0x0123_4567_89AB_CDEF, connectionType: .global)
            let connection = try await ScriptedConnection.connect(port: port)
            let clock = ContinuousClock()
            let (status, elapsed) = try await connection.channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(bytes: header.bytes))
                var messages = inbound.makeAsyncIterator()
                var received = 0
                while received < SocketConnectHeader.size + 10, let piece = try await messages.next() {
                    received += piece.readableBytes
                }
                let start = clock.now
                try await outbound.write(ByteBuffer(bytes: ReplyHeader().bytes))
                // No more reads: the async channel stops reading once its buffer is full,
                // then the kernel's buffers fill and the sender's writes stop completing.
                let status = await sender.finished()
                return (status, clock.now - start)
            }
            #expect(status == 1, "sender stderr: \(sender.stderr)")
            #expect(elapsed >= .seconds(1), "gave up before the stall timeout")
            let reason = sender.event("failed")?["reason"] as? String
            #expect(reason == "the share receiver took none of the package for 1 s (--stall-timeout) (in SendingBody)", "reason: \(reason ?? "none")")
            #expect(sender.events() == ["listening", "connected", "header", "failed"])
        }

        /// A receiver that reads in bursts, pausing well below the limit each time (12 × 0.25 s,
        /// longer than the 2 s limit in all): progress restarts the stall clock, so the share completes.
        @Test func receiverThatPausesBelowTheLimitCompletes() async throws {
            let folder = try NFPS.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let size = 32 << 20
            let file = folder.appendingPathComponent("big.bin")
            #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
            let handle = try FileHandle(forWritingTo: file)
            try handle.truncate(atOffset: UInt64(size))
            try handle.close()
            let (sender, port) = try await NFPS.sender(["--raw", file.path, "--stall-timeout", "2"])
            defer { sender.terminate() }
            let header = SocketConnectHeader(sessionID: 0x0123_4567_89AB_CDEF, connectionType: .global)
            let connection = try await ScriptedConnection.connect(port: port)
            let received = try await connection.channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(bytes: header.bytes))
                var messages = inbound.makeAsyncIterator()
                var received = 0
                while received < SocketConnectHeader.size + 10, let piece = try await messages.next() {
                    received += piece.readableBytes
                }
                try await outbound.write(ByteBuffer(bytes: ReplyHeader().bytes))
                var pauses = 0
                while let piece = try await messages.next() {
                    received += piece.readableBytes
                    if pauses < 12, received >= (pauses + 1) * (2 << 20) {
                        pauses += 1
                        try await Task.sleep(for: .milliseconds(250))
                    }
                }
                return received
            }
            #expect(await sender.finished() == 0, "sender stderr: \(sender.stderr); events \(sender.events())")
            #expect(received == SocketConnectHeader.size + 10 + NFPSCore.NFPS.ivSize + size + ShareProtocolFooter.size)
        }

        /// A Reply header with HeaderSize 1 is malformed: the sender fails, naming 2.2.3.
        @Test func malformedReplyHeaderFailsTheSender() async throws {
            let folder = try NFPS.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("p.bin")
            try NFPS.bytes(100, seed: 2).write(to: file)
            let (sender, port) = try await NFPS.sender(["--raw", file.path])
            defer { sender.terminate() }
            let header = SocketConnectHeader(sessionID: 0x0123_4567_89AB_CDEF, connectionType: .global)
            _ = try await ScriptedConnection.connect(port: port).exchange(header.bytes, then: [0x01, 0x00], after: 22)
            #expect(await sender.finished() == 1)
            #expect((sender.event("failed")?["reason"] as? String)?.contains("2.2.3") == true)
        }
    }
}
