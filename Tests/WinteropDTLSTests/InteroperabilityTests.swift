import Foundation
import Testing
@testable import WinteropDTLS

/// Our endpoints against an independent DTLS 1.2 implementation: the `openssl s_server`
/// and `s_client` programs, over real UDP on 127.0.0.1. Each of our records travels as
/// its own datagram; each datagram the tool sends is one `receiveHandshake` payload.
@Suite(.enabled(if: OpenSSLCLI.isAvailable, "needs the openssl command-line tool (apt-get install openssl)"))
struct InteroperabilityTests {
    /// Our client (the MS-MICE source's role) ⇄ openssl s_server.
    @Test func ourClientWithOpenSSLServer() throws {
        let directory = try TemporaryDirectory()
        try OpenSSLCLI.run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                            "-keyout", "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=openssl s_server"], in: directory.url)
        let port = try UDPSocket.freePort()
        let server = try RunningProcess(try #require(OpenSSLCLI.path), [
            "s_server", "-dtls1_2", "-accept", "127.0.0.1:\(port)", "-cert", "cert.pem", "-key", "key.pem",
            // -listen: DTLSv1_listen, so the server answers the first ClientHello with a
            // HelloVerifyRequest (cookie exchange, RFC 6347 4.2.1) that our client must follow.
            "-use_srtp", "SRTP_AES128_CM_SHA1_80", "-naccept", "1", "-listen",
        ], in: directory.url)
        defer { server.stop() }
        try server.waitFor("ACCEPT")

        let socket = try UDPSocket()
        let client = try DTLSEndpoint(DTLSConfiguration(role: .client))
        for record in try client.start().send {
            try expectOneRecord(record)
            try socket.send(record, to: port)
        }
        var info: DTLSSessionInfo?
        var sawHelloVerifyRequest = false
        while info == nil {
            let (datagram, _) = try #require(try socket.receive(timeout: 20), "no answer from s_server; its output:\n\(server.text)")
            // Handshake type 3 = hello_verify_request, right after the 13-byte record header.
            if datagram.count > DTLSRecordHeader.size, datagram[0] == 22, datagram[DTLSRecordHeader.size] == 3 {
                sawHelloVerifyRequest = true
            }
            let result = try client.receiveHandshake(datagram)
            for record in result.send {
                try expectOneRecord(record)
                try socket.send(record, to: port)
            }
            if case .complete(_, let negotiated) = result { info = negotiated }
        }
        #expect(info?.protocolVersion == "DTLSv1.2")
        #expect(sawHelloVerifyRequest)
        #expect(info?.srtpProfile == "SRTP_AES128_CM_SHA1_80")
        let fingerprint = try OpenSSLCLI.run(["x509", "-in", "cert.pem", "-noout", "-fingerprint", "-sha256"], in: directory.url)
        #expect(fingerprint.contains(try #require(info?.peerCertificateSHA256)))
        try server.waitFor("SRTP_AES128_CM_SHA1_80")

        // Application data both ways.
        try socket.send(try client.seal(Array("hello from the winterop client\n".utf8)), to: port)
        try server.waitFor("hello from the winterop client")
        try server.write("hello from openssl s_server\n")
        let (reply, _) = try #require(try socket.receive(timeout: 20), "s_server sent nothing; output:\n\(server.text)")
        #expect(String(decoding: try client.open(reply), as: UTF8.self) == "hello from openssl s_server\n")
    }

    /// openssl s_client ⇄ our server (the MS-MICE sink's role).
    @Test func openSSLClientWithOurServer() throws {
        let directory = try TemporaryDirectory()
        let socket = try UDPSocket()
        let server = try DTLSEndpoint(DTLSConfiguration(role: .server, certificate: TestCertificates.shared))
        #expect(try server.start() == .inProgress(send: []))
        let client = try RunningProcess(try #require(OpenSSLCLI.path), [
            "s_client", "-dtls1_2", "-connect", "127.0.0.1:\(socket.port)", "-use_srtp", "SRTP_AES128_CM_SHA1_80",
        ], in: directory.url)
        defer { client.stop() }

        var peer: UInt16 = 0
        while !server.isHandshakeComplete {
            let (datagram, from) = try #require(try socket.receive(timeout: 20), "no datagram from s_client; its output:\n\(client.text)")
            peer = from
            for record in try server.receiveHandshake(datagram).send {
                try expectOneRecord(record)
                try socket.send(record, to: peer)
            }
        }
        #expect(server.sessionInfo?.srtpProfile == "SRTP_AES128_CM_SHA1_80")
        try client.waitFor("Cipher is")
        #expect(client.text.contains("SRTP Extension negotiated, profile=SRTP_AES128_CM_SHA1_80"))
        #expect(client.text.contains(server.sessionInfo?.cipher ?? "?"))

        try socket.send(try server.seal(Array("hello from the winterop sink\n".utf8)), to: peer)
        try client.waitFor("hello from the winterop sink")
        try client.write("hello from openssl s_client\n")
        let (reply, _) = try #require(try socket.receive(timeout: 20), "s_client sent nothing; output:\n\(client.text)")
        #expect(String(decoding: try server.open(reply), as: UTF8.self) == "hello from openssl s_client\n")
    }
}
