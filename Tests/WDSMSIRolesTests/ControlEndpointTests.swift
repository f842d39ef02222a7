import Foundation
import NIOCore
import NIOPosix
import Testing
import WDSMSICore
@testable import WDSMSIRoles
import WinteropTransport
import WinteropWire

/// The WDS Control Protocol path through ``WdsControlEndpoint``: request packet bytes in,
/// reply packet bytes out, sharing the sessions of the UDP path.
@Suite struct ControlEndpointTests {
    func server(modes: SecurityModes) throws -> (WDSServer, String, String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("wds-endpoint-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: base + "/images", withIntermediateDirectories: true)
        try Data(count: 3000).write(to: URL(fileURLWithPath: base + "/images/install.wim"))
        var options = WDSServerOptions()
        options.namespace = ["images=\(base)/images"]
        options.data = base + "/data"
        options.listen = "127.0.0.1:0"
        options.serverSecurityMode = modes.server
        options.clientSecurityMode = modes.client
        options.serverAddress = ["192.0.2.7"]
        let server = try WDSServer(validating: options, events: EventLog(json: true, sink: { _ in }), eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        return (server, base, base + "/data")
    }

    static let sid: [UInt8] = [1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]

    @Test func signHashReplyCarriesTheGeneratedKeys() throws {
        let (server, base, data) = try server(modes: SecurityModes(server: .sign, client: .hash))
        defer { try? FileManager.default.removeItem(atPath: base) }
        let request = InitiateRequest(namespace: "images", content: "install.wim", client: "PC1", capabilities: [.checksum])
        let (status, replyBytes) = server.endpoint.wdsRpcMessage(Array(try request.encoded().readableBytesView), caller: .authenticated(userSid: Self.sid))
        #expect(status == .success)
        let reply = try InitiateReply(WDSC.Packet(decoding: try #require(replyBytes)))
        #expect(reply.contentSize == 3000 && reply.totalBlocks == 3)
        #expect(reply.unicastAddress == IPAddress("192.0.2.7"))
        #expect(reply.userSid == Self.sid)
        #expect(try SecurityModeDetermination.modes(for: reply) == SecurityModes(server: .sign, client: .hash))
        // SymKey is the PLAINTEXTKEYBLOB of the 24-byte key kept under --data.
        let key = try #require(FileManager.default.contents(atPath: data + "/wds/hash-key"))
        #expect(reply.symKey == [0x08, 0x02, 0, 0, 0x03, 0x66, 0, 0, 24, 0, 0, 0] + Array(key))
        // SignKey is a PUBLICKEYBLOB of a 2048-bit RSA key.
        let signKey = try #require(reply.signKey)
        #expect(Array(signKey.prefix(12)) == [0x06, 0x02, 0, 0, 0x00, 0x24, 0, 0] + Array("RSA1".utf8))
        #expect(Array(signKey[12..<16]) == [0x00, 0x08, 0, 0])  // 2048 bits
        #expect(signKey.count == 20 + 256)
        // The keys persist: a second server over the same --data offers the same ones.
        let again = try WDSServerKeys.loadOrCreate(dataDirectory: data)
        #expect(again.symKeyBlob == reply.symKey)
        #expect(try again.signKeyBlob() == signKey)
    }

    @Test func unauthenticatedCallsFailAndSessionsAreShared() throws {
        let (server, base, _) = try server(modes: SecurityModes(server: .none, client: .none))
        defer { try? FileManager.default.removeItem(atPath: base) }
        let request = InitiateRequest(namespace: "images", content: "install.wim", client: "PC1")
        let bytes = Array(try request.encoded().readableBytesView)
        #expect(server.endpoint.wdsRpcMessage(bytes, caller: .unauthenticated).status == .accessDenied)
        let (_, first) = server.endpoint.wdsRpcMessage(bytes, caller: .authenticated(userSid: Self.sid))
        let (_, second) = server.endpoint.wdsRpcMessage(bytes, caller: .authenticated(userSid: Self.sid))
        let a = try InitiateReply(WDSC.Packet(decoding: try #require(first)))
        let b = try InitiateReply(WDSC.Packet(decoding: try #require(second)))
        #expect(a.sessionId == b.sessionId)
        #expect(server.core.sessions.count == 1)
        #expect(a.signKey == nil && a.symKey == nil)
    }
}
