import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SSTPCore
import SSTPRoles
import Testing

/// `winterop decode sstp`, usage errors and graceful shutdown. (The idle timers are
/// tested with the loop's clock in EmbeddedHandlerTests.)
@Suite struct CommandLineTests {
    @Test func decodePrintsAStreamOfCommands() throws {
        // Connect (1.5) + Ok ConnectResponse (1.6) negotiate 1.5; then a 1.5 SessionStatus.
        var stream = ByteBuffer()
        try SSTP.Connect(minorVersion: 5, targetDeviceURL: "dpp://b", sourceDeviceURLs: ["dpp://a"], peerProductVersion: "Groove Client 14.0 4006").encode(into: &stream)
        try SSTP.ConnectResponse(minorVersion: 6, responseId: .ok, peerProductVersion: "winterop", targetDeviceURLs: ["dpp://b"]).encode(into: &stream)
        try SSTP.SessionStatus(sessionId: 1, statusId: .hostNotReachable, deviceURL: "grooveDNS://r", identityURL: "").encode(into: &stream, version: .v1_5)
        try SSTP.Noop(messageCount: 3).encode(into: &stream)
        let hex = stream.readableBytesView.map { String(format: "%02x", $0) }.joined()
        let result = try Winterop.run(["decode", "sstp", "--json", hex])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let commands = try #require(json["commands"] as? [[String: Any]])
        #expect(commands.map { $0["command"] as? String ?? "" } == ["Connect", "ConnectResponse", "SessionStatus", "Noop"])
        #expect(commands[3]["messageCount"] as? Int == 3)
        let text = try Winterop.run(["decode", "sstp", hex])
        #expect(text.status == 0 && text.stdout.contains("HostNotReachable"))
        // Malformed: exit 1 naming the section.
        let bad = try Winterop.run(["decode", "sstp", "0e0808"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("MS-GRVSSTP 2.2"), "\(bad.stderr)")
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try Winterop.run(["sstp", "listen", "--listen", "127.0.0.1:0"]).status == 2)
        let noFile = try Winterop.run(["sstp", "send", "--to", "127.0.0.1:1", "--target-device", "t", "--device-url", "d",
                                       "--resource", "r", "--identity", "i", "--file", "/nonexistent/file"])
        #expect(noFile.status == 2)
        #expect(noFile.stderr.contains("cannot read --file"))
        #expect(try Winterop.run(["sstp", "send", "--to", "127.0.0.1:1", "--target-device", "t", "--device-url", "d",
                                  "--resource", "r", "--identity", "i", "--version", "2.0"]).status == 2)
    }

    @Test func shutdownClosesConnectionsWithConnectClose() throws {
        let listener = try ListenerProcess()
        let client = try RawClient(port: listener.port)
        try client.send(.connect(SSTP.Connect(minorVersion: 6, targetDeviceURL: "dpp://listener", sourceDeviceURLs: ["dpp://raw"], peerProductVersion: "raw")))
        try listener.waitFor { $0["event"] as? String == "connected" }
        #expect(listener.stop() == 0)
        let reply = try client.receiveAll()
        #expect(reply.map(\.commandId) == [.connectResponse, .connectClose])
        if case .connectClose(let close) = reply.last { #expect(close.reason == .noReason) }
    }
}
