import Foundation
import NIOCore
import NIOPosix
import SSTPCore
import SSTPRelay
import SSTPRelayCore
import SSTPRoles
import WinteropTransport

/// MS-GRVSSTP relay throughput (issue 11): durable 256-byte messages from a depositor
/// (`SSTPSender`) through `SSTPRelayListener` (SQLite, WAL, synchronous FULL, group
/// commits) to an attached recipient (`SSTPReceiver`), against a plain loopback TCP
/// transfer of the same payload bytes measured in the same run.
enum RelayMeasurements {
    static func relay(group: EventLoopGroup, store: String) async throws -> (ListenerService, Int) {
        var configuration = try SSTPRelayConfiguration(listen: "127.0.0.1:0", relayURL: "dpp://relay", store: "sqlite:\(store)", acknowledgmentDelay: 0.005)
        configuration.connection.timers.messageAcknowledgment = .milliseconds(5)
        let service = try SSTPRelayListener(configuration: configuration, events: EventLog(json: true) { _ in }, eventLoopGroup: group)
            .service(eventLoopGroup: group)
        let address = try await service.bind()
        return (service, address.port ?? 0)
    }

    /// Seconds from the first deposit until the recipient holds all `messages`.
    static func timeRelay(group: EventLoopGroup, port: Int, messages: Int) async throws -> Double {
        let silent = EventLog(json: true) { _ in }
        let receive = try SSTPReceiveConfiguration(
            relay: "127.0.0.1:\(port)", relayURL: "dpp://relay", deviceURL: "dpp://recipient", identities: ["grooveIdentity://bench"],
            exitAfter: messages
        )
        let payload = ByteBuffer(repeating: 0x5C, count: 256)
        var send = SSTPSendConfiguration(
            to: HostPort(host: "127.0.0.1", port: port),
            connection: SSTP.ConnectionConfiguration(localDeviceURLs: ["dpp://depositor"]), targetDeviceURL: "dpp://relay",
            entry: SSTP.AddressingEntry(resourceURL: "bench", identityURL: "grooveIdentity://bench", deviceURL: "dpp://recipient"),
            messages: (0..<messages).map { SSTPOutgoingMessage(name: "m\($0)", source: .bytes(payload)) }
        )
        send.digests = false
        send.connection.timers.messageAcknowledgment = .milliseconds(5)
        let start = DispatchTime.now().uptimeNanoseconds
        async let received = SSTPReceiver.receive(receive, events: silent, group: group)
        let report = try await SSTPSender.send(send, events: silent, group: group)
        guard report.succeeded else { throw SSTPSendError.connectionClosed }
        guard try await received == messages else { throw SSTPSendError.connectionClosed }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// The durability floor: one message per fsync'd commit, committed one after another
    /// (what the relay would reach without group commits), in commits per second.
    static func unbatchedCommits(store path: String, count: Int = 300) async throws -> Double {
        let store = try SSTPRelay.RelayStore(path: path)
        let recipient = SSTPRelay.Recipient(resourceURL: "bench", identityURL: "grooveIdentity://bench", deviceURL: "dpp://floor")
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 0..<count {
            let message = SSTPRelay.StoredMessage(id: Int64(1_000_000 + i), recipient: recipient, message: SSTP.Message(sessionId: 0), payload: [UInt8](repeating: 1, count: 256))
            try await store.write(.init(insert: [message]))
        }
        return Double(count) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// Messages per second through the relay, durable, beside loopback TCP of the same bytes.
    public static func durableThroughput(messages: Int = 20_000, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> SSTPMeasurements.Figure {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("relay-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (service, port) = try await relay(group: group, store: directory.appendingPathComponent("relay.sqlite").path)
        var best = Double.infinity, raw = Double.infinity
        for _ in 0..<3 {
            best = min(best, try await timeRelay(group: group, port: port, messages: messages))
            raw = min(raw, try await SSTPMeasurements.timeRawTCP(group: group, bytes: messages * 256))
        }
        await service.shutdown()
        let commits = try await unbatchedCommits(store: directory.appendingPathComponent("floor.sqlite").path)
        print(SSTPMeasurements.Figure(name: "relay vs one fsync'd commit per message", value: Double(messages) / best, unit: "messages/s", baseline: commits))
        return SSTPMeasurements.Figure(
            name: "relay, durable 256-byte messages depositor to recipient", value: Double(messages) / best,
            unit: "messages/s", baseline: Double(messages) / raw
        )
    }
}
