import NIOCore
import Testing
import WFDCore
import WinteropWire

/// RTSP framing as WFD peers use it (WFD-NOTES 2, 7.1): golden messages, headers in any
/// order and case, incremental arrival, and the limits' reactions.
@Suite struct RTSPCodecTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Windows' M1: CSeq last (WFD-NOTES 7.1, LC issues #104, #128).
    static let windowsM1 = "OPTIONS * RTSP/1.0\r\nRequire: org.wfa.wfd1.0\r\nCSeq: 1\r\n\r\n"
    /// A sink's M3 reply with a text/parameters body (LC d2.py values, WFD-NOTES 3).
    static let m3ReplyBody = "wfd_video_formats: 00 00 02 10 0001FEFF 3FFFFFFF 00000FFF 00 0000 0000 00 none none\r\nwfd_audio_codecs: AAC 00000001 00\r\nwfd_client_rtp_ports: RTP/AVP/UDP;unicast 1028 0 mode=play\r\n"
    static var m3Reply: String {
        "RTSP/1.0 200 OK\r\nContent-Length: \(m3ReplyBody.utf8.count)\r\nContent-Type: text/parameters\r\nCSeq: 2\r\n\r\n" + m3ReplyBody
    }

    @Test func windowsM1GoldenRoundTrip() throws {
        let messages = try RTSPParser.decodeAll(Self.bytes(Self.windowsM1))
        #expect(messages.count == 1)
        guard case .request(let request) = messages.first else {
            Issue.record("not a request")
            return
        }
        #expect(request.method == .options)
        #expect(request.uri == "*")
        #expect(request.cseq == 1)
        #expect(request.headers["require"] == "org.wfa.wfd1.0")
        #expect(request.body.isEmpty)
        #expect(RTSPMessage.request(request).encoded() == Self.bytes(Self.windowsM1))
    }

    @Test func m2ReplyWithWindowsServerHeader() throws {
        let text = "RTSP/1.0 200 OK\r\nPublic: org.wfa.wfd1.0, SETUP, TEARDOWN, PLAY, PAUSE, GET_PARAMETER, SET_PARAMETER\r\nServer: MSMiracastSource/10.00.19041.1 guid/8a1f0d3c-51e4-4d0e-9bd1-6f0c1a2b3c4d\r\nCSeq: 1\r\n\r\n"
        let messages = try RTSPParser.decodeAll(Self.bytes(text))
        guard case .response(let response) = messages.first else {
            Issue.record("not a response")
            return
        }
        #expect(response.status == 200)
        #expect(response.reason == "OK")
        #expect(response.cseq == 1)
        #expect(response.headers["PUBLIC"]?.hasPrefix("org.wfa.wfd1.0") == true)
        #expect(RTSPMessage.response(response).encoded() == Self.bytes(text))
    }

    @Test func bodyFramedByContentLength() throws {
        let messages = try RTSPParser.decodeAll(Self.bytes(Self.m3Reply + Self.windowsM1))
        #expect(messages.count == 2)
        #expect(messages[0].body == Self.bytes(Self.m3ReplyBody))
        #expect(messages[0].cseq == 2)
        #expect(messages[1].cseq == 1)
        #expect(messages[0].encoded() == Self.bytes(Self.m3Reply))
    }

    @Test func headerNamesAnyCaseAndBareLineFeeds() throws {
        let text = "GET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\ncseq: 7\ncontent-length: 4\n\nab\r\n"
        let messages = try RTSPParser.decodeAll(Self.bytes(text))
        #expect(messages.count == 1)
        #expect(messages[0].cseq == 7)
        #expect(messages[0].body == Self.bytes("ab\r\n"))
    }

    @Test func encoderWritesTheBodysLength() {
        let request = RTSPRequest(method: .setParameter, uri: WFD.controlURI, headers: ["CSeq": "4", "Content-Type": "text/parameters"], body: Self.bytes("wfd_trigger_method: SETUP\r\n"))
        #expect(String(decoding: request.message.encoded(), as: UTF8.self) == "SET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 4\r\nContent-Type: text/parameters\r\nContent-Length: 27\r\n\r\nwfd_trigger_method: SETUP\r\n")
        var wrong = request
        wrong.headers.append("Content-Length", "999")
        let again = try? RTSPParser.decodeAll(wrong.message.encoded())
        #expect(again?.first?.body == request.body)
    }

    @Test func incrementalArrivalOneByteAtATime() throws {
        let all = Self.bytes(Self.m3Reply + Self.windowsM1 + Self.m3Reply)
        var parser = RTSPParser()
        var messages: [RTSPMessage] = []
        for byte in all {
            parser.append([byte])
            while let message = try parser.next() {
                messages.append(message)
            }
        }
        #expect(messages.count == 3)
        #expect(messages.map(\.cseq) == [2, 1, 2])
        #expect(parser.bufferedBytes == 0)
    }

    @Test func incompleteMessageConsumesNothing() throws {
        var buffer = ByteBuffer(string: String(Self.m3Reply.dropLast(5)))
        let before = buffer.readableBytes
        #expect(try RTSPParser.parse(from: &buffer, limits: .default) == nil)
        #expect(buffer.readableBytes == before)
    }

    // MARK: Errors and limits

    static func error(_ text: String, limits: RTSPLimits = .default) -> RTSPDecodingError? {
        do {
            _ = try RTSPParser.decodeAll(Self.bytes(text), limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test func malformedHeaderSkipsTheMessageAndAnswers400() throws {
        var parser = RTSPParser()
        parser.append(Self.bytes("SET_PARAMETER rtsp://localhost/wfd1.0 RTSP/1.0\r\nCSeq: 9\r\nno colon here\r\nContent-Length: 3\r\n\r\nabc" + Self.windowsM1))
        do {
            _ = try parser.next()
            Issue.record("accepted a header without a colon")
        } catch {
            #expect(error.reaction == .respond(status: 400))
            #expect(error.cseq == 9)
            #expect(error.answer == RTSPResponse(status: 400, cseq: 9))
            #expect(error.error.spec == "RFC 2326")
        }
        // The body was skipped with the bad message: the next one reads cleanly.
        #expect(try parser.next()?.cseq == 1)
    }

    @Test func wrongVersionAnswers505() {
        let e = Self.error("OPTIONS * RTSP/2.0\r\nCSeq: 3\r\n\r\n")
        #expect(e?.reaction == .respond(status: 505))
        #expect(e?.answer?.status == 505)
    }

    @Test func badContentLengthCloses() {
        for value in ["abc", "-1", "1 2", "+5"] {
            let e = Self.error("OPTIONS * RTSP/1.0\r\nCSeq: 3\r\nContent-Length: \(value)\r\n\r\n")
            #expect(e?.closesConnection == true, "Content-Length \(value)")
        }
        let twice = Self.error("OPTIONS * RTSP/1.0\r\nCSeq: 3\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")
        #expect(twice?.closesConnection == true)
    }

    @Test func bodyOverTheLimitCloses413() {
        let e = Self.error("SET_PARAMETER * RTSP/1.0\r\nCSeq: 3\r\nContent-Length: 70000\r\n\r\n")
        #expect(e?.reaction == .close(status: 413))
        #expect(e?.answer?.status == 413)
    }

    @Test func endlessHeaderSectionCloses() throws {
        var parser = RTSPParser(limits: RTSPLimits(maximumHeaderBytes: 100))
        parser.append(Self.bytes("OPTIONS * RTSP/1.0\r\n" + String(repeating: "X-A: b\r\n", count: 20)))
        #expect(throws: RTSPDecodingError.self) { _ = try parser.next() }
        var short = RTSPParser(limits: RTSPLimits(maximumHeaderBytes: 100))
        short.append(Self.bytes("OPTIONS * RTSP/1.0\r\nX-A: b\r\n"))
        #expect(try short.next() == nil, "a short incomplete head waits for more")
    }

    @Test func tooManyHeadersAnswers494() {
        let head = "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n" + String(repeating: "X-A: b\r\n", count: 10) + "\r\n"
        let e = Self.error(head, limits: RTSPLimits(maximumHeaderCount: 5))
        #expect(e?.reaction == .respond(status: 494))
        #expect(e?.cseq == 1)
    }

    @Test func responsesGetNoAnswer() {
        let e = Self.error("RTSP/1.0 2000 OK\r\nCSeq: 1\r\n\r\n")
        #expect(e?.isRequest == false)
        #expect(e?.answer == nil)
    }

    @Test func garbageIsAnErrorNotACrash() {
        for text in ["\u{01}\u{02}\r\n\r\n", "GET\r\n\r\n", "A B C D\r\n\r\n", ": x\r\nCSeq: 1\r\n\r\n", "OPTIONS * RTSP/1.0\r\n folded: x\r\n\r\n", "RTSP/1.0\r\n\r\n"] {
            #expect(Self.error(text) != nil, "accepted \(text.debugDescription)")
        }
        #expect(Self.error("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\nxyz") != nil, "left-over bytes")
    }
}
