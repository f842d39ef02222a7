import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SSTPCore
import SSTPRoles
import Testing
import WinteropTransport

/// A scriptable application for in-process tests; touched only on its event loop.
final class TestApplication: SSTPApplication {
    var availability: SSTP.ResourceHandlerAvailability = .ready
    var established = false
    var outboundStates: [UInt32: SSTP.SessionState] = [:]
    var inboundSessions: [UInt32] = []
    var assembling: [UInt32: [UInt8]] = [:]
    var received: [(UInt32, [UInt8])] = []
    var acknowledged: [SSTP.OutboundMessageList.Entry] = []
    var started: [UInt32] = []
    var onMessageStarted: ((SSTPConnectionHandler, UInt32) -> Void)?
    weak var handler: SSTPConnectionHandler?

    func connectionEstablished(_ handler: SSTPConnectionHandler, version: SSTP.Version, peerDeviceURLs: [String]) { established = true }
    func openReceived(_ handler: SSTPConnectionHandler, sessionId: UInt32, entry: SSTP.AddressingEntry) -> SSTP.ResourceHandlerAvailability {
        inboundSessions.append(sessionId)
        return availability
    }
    func sessionStateChanged(_ handler: SSTPConnectionHandler, sessionId: UInt32, direction: SSTP.SessionDirection, state: SSTP.SessionState) {
        if direction == .outbound { outboundStates[sessionId] = state }
    }
    func messageStarted(_ handler: SSTPConnectionHandler, sessionId: UInt32, message: SSTP.Message) {
        assembling[sessionId] = []
        started.append(sessionId)
        onMessageStarted?(handler, sessionId)
    }
    func messageData(_ handler: SSTPConnectionHandler, sessionId: UInt32, payload: ByteBuffer) {
        assembling[sessionId, default: []] += payload.readableBytesView
    }
    func messageReceived(_ handler: SSTPConnectionHandler, entry: SSTP.InboundMessageList.Entry) {
        received.append((entry.sessionId, assembling.removeValue(forKey: entry.sessionId) ?? []))
        handler.resourceHandlerCompleted(sequence: entry.sequence)
    }
    func messagesAcknowledged(_ handler: SSTPConnectionHandler, entries: [SSTP.OutboundMessageList.Entry]) {
        acknowledged += entries
    }
}

/// Two SSTP devices in one process over real loopback TCP.
@Suite struct ConnectionHandlerTests {
    struct Pair {
        let group: MultiThreadedEventLoopGroup
        let server: Channel
        let client: Channel
        let a: NIOLoopBound<(SSTPConnectionHandler, TestApplication)>
        let b: NIOLoopBound<(SSTPConnectionHandler, TestApplication)>
    }

    static func configuration(_ url: String) -> SSTP.ConnectionConfiguration {
        var c = SSTP.ConnectionConfiguration(localDeviceURLs: [url])
        c.timers.messageAcknowledgment = .milliseconds(20)
        return c
    }

    static func pair(serverAvailability: SSTP.ResourceHandlerAvailability = .ready) async throws -> Pair {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let bBox = NIOLockedValueBox<NIOLoopBound<(SSTPConnectionHandler, TestApplication)>?>(nil)
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let app = TestApplication()
                    app.availability = serverAvailability
                    let handler = SSTPConnectionHandler(configuration: configuration("dpp://b"), initiatedConnection: false, application: app)
                    app.handler = handler
                    bBox.withLockedValue { $0 = NIOLoopBound((handler, app), eventLoop: channel.eventLoop) }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let aBox = NIOLockedValueBox<NIOLoopBound<(SSTPConnectionHandler, TestApplication)>?>(nil)
        let client = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let app = TestApplication()
                    let handler = SSTPConnectionHandler(configuration: configuration("dpp://a"), initiatedConnection: true, targetDeviceURL: "dpp://b", application: app)
                    app.handler = handler
                    aBox.withLockedValue { $0 = NIOLoopBound((handler, app), eventLoop: channel.eventLoop) }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: "127.0.0.1", port: server.localAddress!.port!).get()
        let a = try #require(aBox.withLockedValue { $0 })
        try await wait { bBox.withLockedValue { $0 } != nil }
        let b = try #require(bBox.withLockedValue { $0 })
        try await wait {
            let aReady = try await on(a) { $0.1.established }
            let bReady = try await on(b) { $0.1.established }
            return aReady && bReady
        }
        return Pair(group: group, server: server, client: client, a: a, b: b)
    }

    static func on<T: Sendable>(_ bound: NIOLoopBound<(SSTPConnectionHandler, TestApplication)>, _ body: @escaping @Sendable ((SSTPConnectionHandler, TestApplication)) throws -> T) async throws -> T {
        try await bound.eventLoop.submit { try body(bound.value) }.get()
    }

    static func wait(timeout: Double = 10, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestFailure("condition not met in \(timeout) s")
    }

    static func close(_ pair: Pair) async throws {
        try? await pair.client.close()
        try? await pair.server.close()
        try await pair.group.shutdownGracefully()
    }

    @Test func interleavedSessionsInBothDirectionsOnOneConnection() async throws {
        let pair = try await Self.pair()
        let entry = SSTP.AddressingEntry(resourceURL: "apphandler", identityURL: "grooveIdentity://x")
        // Each side opens two sessions to the other.
        let aSessions = try await Self.on(pair.a) { h, _ in [h.openSession(entry)!, h.openSession(entry)!] }
        let bSessions = try await Self.on(pair.b) { h, _ in [h.openSession(entry)!, h.openSession(entry)!] }
        #expect(aSessions.allSatisfy { $0 < 0x8000_0000 } && bSessions.allSatisfy { $0 >= 0x8000_0000 })
        try await Self.wait { try await Self.on(pair.a) { $0.1.outboundStates.values.filter { $0 == .ready }.count == 2 } }
        try await Self.wait { try await Self.on(pair.b) { $0.1.outboundStates.values.filter { $0 == .ready }.count == 2 } }

        /// Interleaves two sequences per session pair, command by command, twice.
        @Sendable func interleave(_ h: SSTPConnectionHandler, _ s: [UInt32], _ tag: String) throws {
            for round in 0..<2 {
                let options = SSTP.MessageOptions(acknowledgeImmediately: round == 1)
                try h.beginMessage(sessionId: s[0], options: options)
                try h.sendData(sessionId: s[0], ByteBuffer(string: "\(tag)1-\(round)-part1|"))
                try h.beginMessage(sessionId: s[1], options: options)
                try h.sendData(sessionId: s[1], ByteBuffer(string: "\(tag)2-\(round)-part1|"))
                try h.sendData(sessionId: s[0], ByteBuffer(repeating: UInt8(round), count: 5000))
                try h.endMessage(sessionId: s[1], reference: UInt64(round * 2 + 1))
                try h.sendData(sessionId: s[0], ByteBuffer(string: "|end"))
                try h.endMessage(sessionId: s[0], reference: UInt64(round * 2))
            }
        }
        try await Self.on(pair.a) { h, _ in try interleave(h, aSessions, "A") }
        try await Self.on(pair.b) { h, _ in try interleave(h, bSessions, "B") }

        for (receiver, sender, tag, sessions) in [(pair.b, pair.a, "A", aSessions), (pair.a, pair.b, "B", bSessions)] {
            try await Self.wait { try await Self.on(receiver) { $0.1.received.count == 4 } }
            let received = try await Self.on(receiver) { $0.1.received }
            // EndMessage order: session 2's sequence ends first in each round.
            #expect(received.map(\.0) == [sessions[1], sessions[0], sessions[1], sessions[0]])
            for (index, (_, bytes)) in received.enumerated() {
                let round = index / 2
                let expected: [UInt8] = index % 2 == 0
                    ? Array("\(tag)2-\(round)-part1|".utf8)
                    : Array("\(tag)1-\(round)-part1|".utf8) + [UInt8](repeating: UInt8(round), count: 5000) + Array("|end".utf8)
                #expect(bytes == expected)
            }
            // Every sequence is acknowledged back to its sender, oldest first.
            try await Self.wait { try await Self.on(sender) { $0.1.acknowledged.count == 4 } }
            #expect(try await Self.on(sender) { $0.1.acknowledged.map(\.reference) } == [1, 0, 3, 2])
        }
        try await Self.close(pair)
    }

    @Test func flowControlHoldsTheSenderUntilStartSending() async throws {
        let pair = try await Self.pair(serverAvailability: .notReady)
        let entry = SSTP.AddressingEntry(resourceURL: "apphandler", identityURL: "grooveIdentity://x")
        let session = try await Self.on(pair.a) { h, _ in h.openSession(entry)! }
        try await Self.wait { try await Self.on(pair.a) { $0.1.outboundStates[session] == .suspended } }
        // A 'suspended' session cannot carry data (3.1.4.6).
        #expect(try await Self.on(pair.a) { h, _ in (try? h.beginMessage(sessionId: session, options: .init())) == nil })
        // StartSending: 'ready'.
        try await Self.on(pair.b) { h, app in h.setAvailability(sessionId: app.inboundSessions[0], .ready) }
        try await Self.wait { try await Self.on(pair.a) { $0.1.outboundStates[session] == .ready } }
        // The receiver blocks the session as soon as a message starts; the sender sees 'blocked'.
        try await Self.on(pair.b) { _, app in
            app.onMessageStarted = { h, id in h.setAvailability(sessionId: id, .notReady) }
        }
        try await Self.on(pair.a) { h, _ in
            try h.beginMessage(sessionId: session, options: .init())
            try h.sendData(sessionId: session, ByteBuffer(repeating: 9, count: 10_000))
        }
        try await Self.wait { try await Self.on(pair.a) { $0.1.outboundStates[session] == .blocked } }
        #expect(try await Self.on(pair.a) { h, _ in (try? h.beginMessage(sessionId: session, options: .init())) == nil })
        // The sequence under way may finish (4.4.1) and is received and acknowledged.
        try await Self.on(pair.a) { h, _ in try h.endMessage(sessionId: session, reference: 1) }
        try await Self.wait { try await Self.on(pair.b) { $0.1.received.count == 1 } }
        try await Self.wait { try await Self.on(pair.a) { $0.1.acknowledged.count == 1 } }
        try await Self.on(pair.b) { h, app in
            app.onMessageStarted = nil
            h.setAvailability(sessionId: app.inboundSessions[0], .ready)
        }
        try await Self.wait { try await Self.on(pair.a) { $0.1.outboundStates[session] == .ready } }
        try await Self.close(pair)
    }

    @Test func theSenderWaitsForStartSendingEndToEnd() async throws {
        let pair = try await Self.pair(serverAvailability: .notReady)
        defer { Task { try? await Self.close(pair) } }
        // An SSTPSender against a second listener-like server that starts suspended.
        let group = pair.group
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let app = TestApplication()
                    app.availability = .notReady
                    let handler = SSTPConnectionHandler(configuration: Self.configuration("dpp://b"), initiatedConnection: false, application: app)
                    app.handler = handler
                    let bound = NIOLoopBound((handler, app), eventLoop: channel.eventLoop)
                    // Ready after a while: StartSending.
                    channel.eventLoop.scheduleTask(in: .milliseconds(300)) {
                        for id in bound.value.1.inboundSessions { bound.value.0.setAvailability(sessionId: id, .ready) }
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let lines = NIOLockedValueBox<[String]>([])
        let events = EventLog(json: true) { line in lines.withLockedValue { $0.append(line) } }
        let started = Date()
        let report = try await SSTPSender.send(SSTPSendConfiguration(
            to: HostPort(host: "127.0.0.1", port: server.localAddress!.port!),
            connection: SSTP.ConnectionConfiguration(localDeviceURLs: ["dpp://a"]), targetDeviceURL: "dpp://b",
            entry: SSTP.AddressingEntry(resourceURL: "r", identityURL: "i"),
            messages: [SSTPOutgoingMessage(name: "m", source: .bytes(ByteBuffer(repeating: 1, count: 100_000)), options: .init(acknowledgeImmediately: true))]
        ), events: events, group: group)
        #expect(report.succeeded, "\(report)")
        #expect(Date().timeIntervalSince(started) >= 0.3)
        let all = lines.withLockedValue { $0 }
        #expect(all.contains { $0.contains("\"session_opened\"") && $0.contains("suspended") })
        #expect(all.contains { $0.contains("\"flow_control\"") && $0.contains("\"ready\"") })
        try await server.close()
    }
}
