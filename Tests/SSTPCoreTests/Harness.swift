import NIOCore
import SSTPCore
import Testing

typealias Action = SSTP.ConnectionAction

/// Helpers for driving connection state machines in tests.
enum Harness {
    static let deviceA = "dpp://device1"
    static let deviceB = "dpp://device2"
    static let entry = SSTP.AddressingEntry(resourceURL: "apphandler", identityURL: "grooveIdentity://clientB", deviceURL: deviceB)

    static func configuration(_ url: String, version: SSTP.Version = .v1_6, _ change: (inout SSTP.ConnectionConfiguration) -> Void = { _ in }) -> SSTP.ConnectionConfiguration {
        var c = SSTP.ConnectionConfiguration(version: version, localDeviceURLs: [url])
        change(&c)
        return c
    }

    /// The commands among `actions` (Data payloads as Data commands, ConnectClose included).
    static func commands(_ actions: [Action]) -> [SSTP.Command] {
        actions.flatMap { action -> [SSTP.Command] in
            switch action {
            case .send(let c): return [c]
            case .sendConnectCloseAndTerminate(let c): return [.connectClose(c)]
            case .sendData(let id, let payload):
                var buffer = ByteBuffer()
                SSTP.Data.writeCommands(sessionId: id, payload: payload, into: &buffer)
                return (try? SSTP.CommandStream.decodeAll(buffer)) ?? []
            default: return []
            }
        }
    }

    /// The ConnectClose among `actions`, if any.
    static func connectClose(_ actions: [Action]) -> SSTP.ConnectClose? {
        for case .sendConnectCloseAndTerminate(let c) in actions { return c }
        return nil
    }

    /// Feeds every command `actions` send to `receiver`, through the encoder and decoder at `version`.
    static func deliver(_ actions: [Action], to receiver: inout SSTP.ConnectionStateMachine, version: SSTP.Version = .v1_6) throws -> [Action] {
        var out: [Action] = []
        for command in commands(actions) {
            var bytes = ByteBuffer()
            try command.encode(into: &bytes, version: version)
            let decoded = try #require(try SSTP.CommandStream.decodeCommand(from: &bytes, version: version))
            out += receiver.commandReceived(decoded)
        }
        return out
    }

    /// Two devices with an established connection: A initiated, B accepted.
    static func established(a va: SSTP.Version = .v1_6, b vb: SSTP.Version = .v1_6) throws -> (SSTP.ConnectionStateMachine, SSTP.ConnectionStateMachine) {
        var a = SSTP.ConnectionStateMachine(configuration: configuration(deviceA, version: va), initiatedConnection: true)
        var b = SSTP.ConnectionStateMachine(configuration: configuration(deviceB, version: vb), initiatedConnection: false)
        let connect = try a.connect(targetDeviceURL: deviceB)
        let response = try deliver(connect, to: &b)
        _ = try deliver(response, to: &a)
        #expect(a.isEstablished && b.isEstablished)
        return (a, b)
    }

    /// A opens a session to B and B answers with `availability`.
    static func openSession(_ a: inout SSTP.ConnectionStateMachine, _ b: inout SSTP.ConnectionStateMachine, availability: SSTP.ResourceHandlerAvailability = .ready) throws -> UInt32 {
        let (id, open) = try a.openSession(entry)
        let received = try deliver(open, to: &b)
        #expect(received.contains(.openReceived(sessionId: id, entry)))
        let answer = try b.resourceHandlerAvailabilityChanged(sessionId: id, availability)
        _ = try deliver(answer, to: &a, version: a.version)
        return id
    }

    /// Sends one message from A on `id` and delivers it to B; returns B's actions.
    static func sendMessage(_ a: inout SSTP.ConnectionStateMachine, _ b: inout SSTP.ConnectionStateMachine, session id: UInt32, _ text: String, reference: UInt64, options: SSTP.MessageOptions = .init()) throws -> [Action] {
        let actions = try a.sendMessage(sessionId: id, payload: ByteBuffer(string: text), options: options, reference: reference)
        return try deliver(actions, to: &b)
    }

    static func received(_ actions: [Action]) -> SSTP.InboundMessageList.Entry? {
        for case .messageReceived(let e) in actions { return e }
        return nil
    }
}
