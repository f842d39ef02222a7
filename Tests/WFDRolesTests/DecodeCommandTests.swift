import Foundation
import Testing
import WinteropTestSupport

/// `winterop decode rtsp`: Windows' M1 and an M3 reply from stdin, and a malformed stream.
@Suite struct DecodeCommandTests {
    @Test func decodesMessagesWithTypedParameters() throws {
        let body = "wfd_video_formats: 00 00 02 10 00000000 00008000 00000000 00 0000 0000 00 none none\r\nwfd_idr_request\r\n"
        let stream = "OPTIONS * RTSP/1.0\r\nRequire: org.wfa.wfd1.0\r\nCSeq: 1\r\n\r\nRTSP/1.0 200 OK\r\nContent-Length: \(body.utf8.count)\r\nCSeq: 2\r\n\r\n\(body)"
        let result = try WinteropProcess.run(["decode", "rtsp", "--json", "-"], stdin: Data(stream.utf8))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.hasPrefix(#"{"messages":[{"kind":"request","method":"OPTIONS","uri":"*","headers":[{"name":"Require","value":"org.wfa.wfd1.0"},{"name":"CSeq","value":"1"}]},{"kind":"response","status":200"#))
        #expect(result.stdout.contains(#""modes":["vesa 1280x1024p60"]"#))
        #expect(result.stdout.contains(#"{"name":"wfd_idr_request"}"#))
    }

    @Test func malformedStreamExitsOneNamingTheRule() throws {
        let result = try WinteropProcess.run(["decode", "rtsp", "-"], stdin: Data("OPTIONS * RTSP/1.0\r\nContent-Length: x\r\n\r\n".utf8))
        #expect(result.status == 1)
        #expect(result.stderr.contains("RFC 2326 12.14"))
    }
}
