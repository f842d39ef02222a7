import NIOCore
import WFDCore
import WinteropWire

/// Fuzz entry points for Wi-Fi Display: every message the RTSP parser accepts re-encodes
/// to bytes that parse to the same message, fed whole and split in two.
enum WFDFuzz {
    @Sendable static func rtspMessage(_ bytes: [UInt8]) {
        var parser = RTSPParser(limits: RTSPLimits(maximumHeaderBytes: 2048, maximumHeaderCount: 16, maximumBodyBytes: 4096))
        let cut = bytes.first.map { Int($0) % (bytes.count + 1) } ?? 0
        var accepted: [RTSPMessage] = []
        for chunk in [bytes[..<cut], bytes[cut...]] {
            parser.append(chunk)
            while true {
                do {
                    guard let message = try parser.next() else { break }
                    accepted.append(message)
                } catch {
                    if error.closesConnection { return }
                }
            }
        }
        for message in accepted {
            let again = message.encoded()
            guard let decoded = try? RTSPParser.decodeAll(again), decoded.count == 1, let first = decoded.first else {
                preconditionFailure("an accepted RTSP message did not re-parse")
            }
            precondition(first.encoded() == again, "RTSP message round trip changed it")
            _ = message.json.jsonText
            if let parameters = try? WFDParameterList(body: message.body) {
                precondition((try? WFDParameterList(body: parameters.body)) == parameters, "text/parameters round trip changed it")
                for line in parameters.lines {
                    guard let value = line.value, let typed = try? WFDParameter(name: line.name, value: value) else { continue }
                    precondition((try? WFDParameter(name: line.name, value: typed.value)) == typed, "\(line.name) round trip changed it")
                }
            }
        }
    }
}

extension WFDFuzz {
    /// The sink's RTP receiver over datagrams cut from the input (the first two bytes of each
    /// piece give its length): whatever arrives, delivered bytes are whole transport packets
    /// and the counts add up.
    @Sendable static func rtpReceiver(_ bytes: [UInt8]) {
        var receiver = RTPReceiver(window: 4)
        var rest = bytes[...]
        var delivered = 0
        var datagrams = 0
        while rest.count >= 2 {
            let length = Int(rest[rest.startIndex]) << 8 | Int(rest[rest.startIndex + 1])
            rest = rest.dropFirst(2)
            let piece = rest.prefix(length)
            rest = rest.dropFirst(piece.count)
            datagrams += 1
            for output in receiver.received(ByteBuffer(bytes: piece)) {
                if case .transportStream(let ts) = output {
                    precondition(ts.count % MPEGTSPacket.size == 0 && ts.first == MPEGTSPacket.syncByte, "delivered a partial transport packet")
                    delivered += 1
                }
            }
        }
        for output in receiver.flush() {
            if case .transportStream = output { delivered += 1 }
        }
        let s = receiver.statistics
        precondition(s.packets == delivered, "packet count differs from deliveries")
        precondition(s.packets + s.duplicates + s.malformed <= datagrams, "more outcomes than datagrams")
    }
}
