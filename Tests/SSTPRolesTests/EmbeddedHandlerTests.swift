import Foundation
import NIOCore
import NIOEmbedded
import SSTPCore
import SSTPRoles
import Testing
import WinteropTransport

/// An application that completes nothing by itself: the test decides when a received
/// message is handled (3.1.4.7).
final class HoldingApplication: SSTPApplication {
    var received: [SSTP.InboundMessageList.Entry] = []
    var ended: SSTP.ConnectionEndCause?
    func openReceived(_ handler: SSTPConnectionHandler, sessionId: UInt32, entry: SSTP.AddressingEntry) -> SSTP.ResourceHandlerAvailability { .ready }
    func messageReceived(_ handler: SSTPConnectionHandler, entry: SSTP.InboundMessageList.Entry) { received.append(entry) }
    func connectionEnded(_ handler: SSTPConnectionHandler, cause: SSTP.ConnectionEndCause, unacknowledged: [SSTP.OutboundMessageList.Entry]) { ended = cause }
}

/// The connection handler on an `EmbeddedChannel`: bytes in, bytes out, the loop's clock
/// advanced by hand. No sockets, no sleeps (postgres-nio's PostgresChannelHandlerTests).
@Suite struct EmbeddedHandlerTests {
    static let device = "dpp://embedded"
    static let entry = SSTP.AddressingEntry(resourceURL: "apphandler", identityURL: "grooveIdentity://x")

    /// An accepting handler on an active channel.
    static func acceptor(_ change: (inout SSTP.ConnectionConfiguration) -> Void = { _ in }) throws -> (EmbeddedChannel, SSTPConnectionHandler, HoldingApplication) {
        var configuration = SSTP.ConnectionConfiguration(localDeviceURLs: [device])
        change(&configuration)
        let application = HoldingApplication()
        let handler = SSTPConnectionHandler(configuration: configuration, initiatedConnection: false, application: application)
        let channel = EmbeddedChannel(handler: handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 2492)).wait()
        return (channel, handler, application)
    }

    /// Writes `commands` in as one read (then read-complete, as NIO does).
    static func send(_ channel: EmbeddedChannel, _ commands: [SSTP.Command], version: SSTP.Version = .v1_6) throws {
        var buffer = ByteBuffer()
        for command in commands { try command.encode(into: &buffer, version: version) }
        try send(channel, buffer)
    }

    static func send(_ channel: EmbeddedChannel, _ bytes: ByteBuffer) throws {
        try channel.writeInbound(bytes)
        channel.pipeline.fireChannelReadComplete()
    }

    /// Everything written so far, decoded.
    static func written(_ channel: EmbeddedChannel) throws -> [SSTP.Command] {
        var all = ByteBuffer()
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) { all.writeBuffer(&chunk) }
        return try SSTP.CommandStream.decodeAll(all)
    }

    static func connect(_ channel: EmbeddedChannel) throws -> [SSTP.Command] {
        try send(channel, [.connect(SSTP.Connect(minorVersion: 6, targetDeviceURL: device, sourceDeviceURLs: ["dpp://peer"], peerProductVersion: "test"))])
        return try written(channel)
    }

    /// Connect, Open on session 1, and the answers.
    static func establishedWithSession(_ channel: EmbeddedChannel) throws {
        _ = try connect(channel)
        try send(channel, [.open(SSTP.Open(sessionId: 1, addressingEntry: entry))])
        #expect(try written(channel) == [.openResponse(SSTP.OpenResponse(sessionId: 1, responseId: .ok))])
    }

    static func message(_ text: String, acknowledgeImmediately: Bool = false, count: UInt32 = 0) -> [SSTP.Command] {
        [.message(SSTP.Message(sessionId: 1, messageCount: count, acknowledgeImmediately: acknowledgeImmediately)),
         .data(SSTP.Data(sessionId: 1, payload: ByteBuffer(string: text))), .endMessage(SSTP.EndMessage(sessionId: 1))]
    }

    @Test func connectIsAnsweredWithConnectResponseOk() throws {
        let (channel, handler, _) = try Self.acceptor()
        let reply = try Self.connect(channel)
        guard case .connectResponse(let response) = try #require(reply.first) else {
            Issue.record("expected ConnectResponse, got \(reply)")
            return
        }
        #expect(reply.count == 1)
        #expect(response.responseId == .ok)
        #expect(response.targetDeviceURLs == [Self.device])
        #expect(handler.machine.isEstablished)
        #expect(channel.isActive)
    }

    @Test func aMessageIsAcknowledgedOnlyAfterTheApplicationCompletesIt() throws {
        let (channel, handler, application) = try Self.acceptor()
        try Self.establishedWithSession(channel)
        try Self.send(channel, Self.message("hello", acknowledgeImmediately: true))
        let entry = try #require(application.received.first)
        // Not completed: nothing acknowledges it, not even when the acknowledgment timer runs out.
        #expect(try Self.written(channel).isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .seconds(6))
        #expect(try Self.written(channel).allSatisfy { if case .noop(let n) = $0 { n.messageCount == 0 } else { false } })
        // Completed: an AcknowledgeImmediately message gets its Noop at once (3.1.4.7).
        handler.resourceHandlerCompleted(sequence: entry.sequence)
        #expect(try Self.written(channel) == [.noop(SSTP.Noop(messageCount: 1))])
    }

    @Test func withoutTheABitTheAcknowledgmentWaitsForTheTimer() throws {
        let (channel, handler, application) = try Self.acceptor { $0.timers.messageAcknowledgment = .seconds(5) }
        try Self.establishedWithSession(channel)
        try Self.send(channel, Self.message("x"))
        handler.resourceHandlerCompleted(sequence: try #require(application.received.first).sequence)
        #expect(try Self.written(channel).isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(try Self.written(channel) == [.noop(SSTP.Noop(messageCount: 1))])
    }

    @Test func theListenersGoodbyeIsConnectCloseNoReasonAcknowledgingWhatIsStored() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sstp-embedded-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let listener = SSTPDeviceListener(
            configuration: try SSTPDeviceConfiguration(listen: "127.0.0.1:0", deviceURLs: [Self.device], outputDirectory: directory),
            events: EventLog(json: true) { _ in })
        let channel = EmbeddedChannel()
        try listener.initialize(channel)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 2492)).wait()
        _ = try Self.connect(channel)
        listener.sayGoodbye(channel, reason: .shutdown)
        channel.embeddedEventLoop.run()
        #expect(try Self.written(channel) == [.connectClose(SSTP.ConnectClose(reason: .noReason, messageCount: 0))])
        #expect(!channel.isActive)
    }

    @Test func closeAfterACompletedMessageCarriesItsCount() throws {
        let (channel, handler, application) = try Self.acceptor()
        try Self.establishedWithSession(channel)
        try Self.send(channel, Self.message("x"))
        handler.resourceHandlerCompleted(sequence: try #require(application.received.first).sequence)
        handler.close(reason: .noReason)
        #expect(try Self.written(channel) == [.connectClose(SSTP.ConnectClose(reason: .noReason, messageCount: 1))])
        #expect(!channel.isActive)
    }

    @Test(arguments: [
        ([0x7f, 0x03, 0x00] as [UInt8], "unknown CommandId"),
        ([0x0e, 0xb8, 0x0b] as [UInt8], "CommandLength 3000"),  // Data longer than 2055 (2.2)
        ([0x11, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00] as [UInt8], "Noop"),  // Noop before Connect
    ])
    func malformedOrMisplacedInputGetsConnectCloseProtocolError(_ bytes: [UInt8], _ what: String) throws {
        let (channel, _, application) = try Self.acceptor()
        try Self.send(channel, ByteBuffer(bytes: bytes))
        #expect(try Self.written(channel) == [.connectClose(SSTP.ConnectClose(reason: .protocolError, messageCount: 0))], "\(what)")
        #expect(!channel.isActive)
        guard case .closedLocally(.protocolError, let violation?) = application.ended else {
            Issue.record("ended \(String(describing: application.ended))")
            return
        }
        #expect(!violation.isEmpty)
    }

    @Test func aCommandSplitAcrossReadsIsDecodedWhole() throws {
        let (channel, handler, _) = try Self.acceptor()
        var connect = ByteBuffer()
        try SSTP.Connect(minorVersion: 6, targetDeviceURL: Self.device, sourceDeviceURLs: ["dpp://peer"], peerProductVersion: "test").encode(into: &connect)
        while connect.readableBytes > 0 {
            try Self.send(channel, connect.readSlice(length: min(5, connect.readableBytes))!)
        }
        #expect(handler.machine.isEstablished)
    }

    @Test func aSilentConnectionIsClosedAtTheConnectTimeout() throws {
        let (channel, _, _) = try Self.acceptor { $0.timers.connectTimeout = .seconds(30) }
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(try Self.written(channel) == [.connectClose(SSTP.ConnectClose(reason: .responseTimeout, messageCount: 0))])
        #expect(!channel.isActive)
    }

    @Test func anIdleEstablishedConnectionSendsNoopsAndStaysOpen() throws {
        let (channel, _, _) = try Self.acceptor {
            $0.timers.outboundIdle = .seconds(600)
            $0.timers.inboundIdle = nil
        }
        _ = try Self.connect(channel)
        // Past the connect timeout: established, so nothing closes.
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(570))
        #expect(try Self.written(channel) == [.noop(SSTP.Noop(messageCount: 0))])
        channel.embeddedEventLoop.advanceTime(by: .seconds(600))
        #expect(try Self.written(channel) == [.noop(SSTP.Noop(messageCount: 0))])
        #expect(channel.isActive)
    }
}

/// Counts the reads that reach the head of the pipeline.
final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = Any
    var reads = 0
    var flushes = 0
    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }
    func flush(context: ChannelHandlerContext) {
        flushes += 1
        context.flush()
    }
}

extension EmbeddedHandlerTests {
    @Test func aPeerThatDoesNotReadItsRepliesIsNotRead() throws {
        let (channel, _, _) = try Self.acceptor()
        let counter = ReadCounter()
        try channel.pipeline.syncOperations.addHandler(counter, position: .first)
        _ = try Self.connect(channel)
        channel.read()
        let before = counter.reads
        #expect(before > 0)
        // Unsent output above the high-water mark: reads are held.
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        channel.read()
        #expect(counter.reads == before)
        // Drained: the held read goes out.
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        #expect(counter.reads == before + 1)
    }

    @Test func aPeerThatLeavesItsOutputUnreadIsClosedAfterTheStallTimeout() throws {
        let (channel, _, application) = try Self.acceptor { $0.timers.outputStall = .seconds(30) }
        _ = try Self.connect(channel)
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(application.ended == nil)
        // Drained in time: the clock stops, and a new stall starts it afresh.
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(application.ended == nil)
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        guard case .closedLocally(.responseTimeout, let violation)? = application.ended else {
            Issue.record("not closed: \(String(describing: application.ended))")
            return
        }
        #expect(violation?.contains("read nothing") == true)
        #expect(!channel.isActive)
    }

    /// Issue 10: a sender's pass over many small messages reaches the socket as one write.
    @Test func manyMessagesInOneBatchAreFlushedOnce() throws {
        let (channel, handler, _) = try Self.acceptor()
        let counter = ReadCounter()
        try channel.pipeline.syncOperations.addHandler(counter, position: .first)
        _ = try Self.connect(channel)
        let id = try #require(handler.openSession(Self.entry))
        _ = try Self.written(channel)
        try Self.send(channel, [.openResponse(SSTP.OpenResponse(sessionId: id, responseId: .ok))])
        let before = counter.flushes
        try handler.batchingFlushes {
            for n in 0..<100 {
                try handler.beginMessage(sessionId: id, options: SSTP.MessageOptions())
                try handler.sendData(sessionId: id, ByteBuffer(repeating: 7, count: 256))
                try handler.endMessage(sessionId: id, reference: UInt64(n))
            }
        }
        #expect(counter.flushes - before == 1)
        let commands = try Self.written(channel)
        #expect(commands.filter { if case .endMessage = $0 { true } else { false } }.count == 100)
    }
}
