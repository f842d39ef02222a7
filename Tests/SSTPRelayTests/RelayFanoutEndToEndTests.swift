import Foundation
import NIOCore
import NIOPosix
import SSTPCore
import SSTPRoles
import Testing
import WinteropTransport
@testable import SSTPRelay
@testable import SSTPRelayCore

/// Multi-drop fanout over real connections: one FanoutOpen with two device entries, one
/// message, and each device takes delivery of its own copy from the relay.
@Suite struct RelayFanoutEndToEndTests {
    /// Opens a fanout session once connected, sends one message when the relay says
    /// StartSending, and reports the acknowledgment.
    final class FanoutDepositor: SSTPApplication {
        let entries: [SSTP.FanoutOpen.Entry]
        let payload: [UInt8]
        let acknowledged: EventLoopPromise<Void>
        let started: EventLoopPromise<Void>
        var sessionId: UInt32?
        weak var handler: SSTPConnectionHandler?
        init(entries: [SSTP.FanoutOpen.Entry], payload: [UInt8], started: EventLoopPromise<Void>, acknowledged: EventLoopPromise<Void>) {
            self.entries = entries
            self.payload = payload
            self.started = started
            self.acknowledged = acknowledged
        }
        func connectionEstablished(_ handler: SSTPConnectionHandler, version: SSTP.Version, peerDeviceURLs: [String]) {
            sessionId = handler.openFanoutSession(resourceURL: "app", entries: entries)
        }
        func sessionStateChanged(_ handler: SSTPConnectionHandler, sessionId: UInt32, direction: SSTP.SessionDirection, state: SSTP.SessionState) {
            guard sessionId == self.sessionId, state == .ready else { return }
            do {
                try handler.beginMessage(sessionId: sessionId, options: .init(acknowledgeImmediately: true))
                try handler.sendData(sessionId: sessionId, ByteBuffer(bytes: payload))
                try handler.endMessage(sessionId: sessionId, reference: 1)
                started.succeed(())
            } catch {
                started.fail(error)
            }
        }
        func messagesAcknowledged(_ handler: SSTPConnectionHandler, entries: [SSTP.OutboundMessageList.Entry]) {
            acknowledged.succeed(())
        }
        func connectionEnded(_ handler: SSTPConnectionHandler, cause: SSTP.ConnectionEndCause, unacknowledged: [SSTP.OutboundMessageList.Entry]) {
            started.fail(SSTPSendError.connectionClosed)
            acknowledged.fail(SSTPSendError.connectionClosed)
        }
    }

    @Test func fanoutDepositReachesEveryEntrysDevice() async throws {
        let directory = try RelayProcessTests.temporaryDirectory()
        let group = MultiThreadedEventLoopGroup.singleton
        let configuration = try SSTPRelayConfiguration(
            listen: "127.0.0.1:0", relayURL: "dpp://relay", store: "sqlite:\(directory.appendingPathComponent("relay.sqlite").path)",
            acknowledgmentDelay: 0.02
        )
        let silent = EventLog(json: true) { _ in }
        let service = try SSTPRelayListener(configuration: configuration, events: silent, eventLoopGroup: group).service(eventLoopGroup: group)
        let port = try #require(try await service.bind().port)

        let loop = group.next()
        let started = loop.makePromise(of: Void.self), acknowledged = loop.makePromise(of: Void.self)
        let payload = Array("one message, two devices".utf8)
        let entries = [SSTP.FanoutOpen.Entry(identityURL: "id://alice", deviceURL: "dpp://a"),
                       SSTP.FanoutOpen.Entry(identityURL: "id://bob", deviceURL: "dpp://b", relayURL: "dpp://relay")]
        let channel = try await ClientBootstrap(group: loop).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let application = FanoutDepositor(entries: entries, payload: payload, started: started, acknowledged: acknowledged)
                let handler = SSTPConnectionHandler(
                    configuration: SSTP.ConnectionConfiguration(localDeviceURLs: ["dpp://sender"]), initiatedConnection: true,
                    targetDeviceURL: "dpp://relay", application: application
                )
                application.handler = handler
                try channel.pipeline.syncOperations.addHandler(handler)
            }
        }.connect(host: "127.0.0.1", port: port).get()
        try await started.futureResult.get()
        try await acknowledged.futureResult.get()
        try await channel.close()

        for (device, identity) in [("dpp://a", "id://alice"), ("dpp://b", "id://bob")] {
            let out = directory.appendingPathComponent(device.replacingOccurrences(of: "dpp://", with: ""))
            let receive = try SSTPReceiveConfiguration(
                relay: "127.0.0.1:\(port)", relayURL: "dpp://relay", deviceURL: device, identities: [identity],
                outputDirectory: out.path, exitAfter: 1, timeout: 10
            )
            #expect(try await SSTPReceiver.receive(receive, events: silent, group: group) == 1)
            #expect(try Data(contentsOf: out.appendingPathComponent("msg-00000001")) == Data(payload))
        }
        await service.shutdown()
    }
}
