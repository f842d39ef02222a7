import PropertyBased
import Testing
import WFDCore

/// decode ∘ encode is the identity on generated RTSP messages, whole or split anywhere.
@Suite struct RTSPPropertyTests {
    static let token = Gen<UInt8>.value(in: 0x41...0x5A).array(of: 1...12).map { String(decoding: $0, as: UTF8.self) }
    static let value = Gen<UInt8>.value(in: 0x21...0x7E).array(of: 0...40).map { String(decoding: $0, as: UTF8.self) }
    static let headers = zip(token, value).array(of: 0...8).map { pairs in
        RTSPHeaders(pairs.filter { $0.0.lowercased() != "content-length" }.map { RTSPHeaders.Field(name: "X-" + $0.0, value: $0.1) })
    }
    static let body = Gen.uint8().array(of: 0...300)

    static func message(_ isRequest: Bool, _ method: String, _ status: Int, _ headers: RTSPHeaders, _ cseq: Int, _ body: [UInt8]) -> RTSPMessage {
        var headers = headers
        headers.append("CSeq", String(cseq))
        if isRequest {
            return .request(RTSPRequest(method: RTSPMethod(method), uri: "rtsp://localhost/wfd1.0", headers: headers, body: body))
        }
        return .response(RTSPResponse(status: status, reason: "Some Reason", headers: headers, body: body))
    }

    @Test func roundTrip() async {
        await propertyCheck(input: Gen.bool, Self.token, Gen.int(in: 100...999), Self.headers, Gen.int(in: 0...1_000_000), Self.body) { isRequest, method, status, headers, cseq, body in
            let message = Self.message(isRequest, method, status, headers, cseq, body)
            let bytes = message.encoded()
            var expected = message
            if !body.isEmpty {
                // The encoder adds Content-Length; the decoded headers carry it.
                switch expected {
                case .request(var r): r.headers.append("Content-Length", String(body.count)); expected = .request(r)
                case .response(var r): r.headers.append("Content-Length", String(body.count)); expected = .response(r)
                }
            }
            #expect((try? RTSPParser.decodeAll(bytes)) == [expected])
            #expect((try? RTSPParser.decodeAll(bytes))?.first?.encoded() == bytes)
        }
    }

    @Test func splitAnywhere() async {
        await propertyCheck(input: Self.headers, Self.body, Gen.int(in: 0...2000), Gen.int(in: 1...64)) { headers, body, cut, step in
            let message = Self.message(true, "SET_PARAMETER", 200, headers, 3, body)
            let stream = message.encoded() + message.encoded()
            var parser = RTSPParser()
            var got: [RTSPMessage] = []
            let first = min(cut, stream.count)
            var chunks = [Array(stream[..<first])]
            var index = first
            while index < stream.count {
                chunks.append(Array(stream[index..<min(index + step, stream.count)]))
                index += step
            }
            for chunk in chunks {
                parser.append(chunk)
                do {
                    while let m = try parser.next() { got.append(m) }
                } catch {
                    Issue.record("rejected a valid stream: \(error)")
                }
            }
            #expect(got.count == 2)
            #expect(got.first?.body == body)
        }
    }
}
