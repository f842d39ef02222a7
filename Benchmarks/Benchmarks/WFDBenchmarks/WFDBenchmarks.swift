import Benchmark
import NIOCore
import WFDCore

/// Wi-Fi Display media and control costs, each beside the floor measured in the same run:
/// copying the same bytes (a receiver or packetizer cannot beat reading its input once).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxDuration: .seconds(2),
        maxIterations: 100_000
    )

    // 7000 transport packets (1.3 MB), a PCR every 20, at 2.5 Mbyte/s (20 Mbit/s).
    let packetCount = 7000
    var stream: [UInt8] = []
    stream.reserveCapacity(packetCount * 188)
    for i in 0..<packetCount {
        var packet: [UInt8] = [0x47, 0x10, 0x11]
        if i % 20 == 0 {
            let pcr = UInt64(i * 188) * 27_000_000 / 2_500_000
            let base = pcr / 300, ext = pcr % 300
            packet += [0x30, 7, 0x10, UInt8((base >> 25) & 0xFF), UInt8((base >> 17) & 0xFF), UInt8((base >> 9) & 0xFF),
                       UInt8((base >> 1) & 0xFF), UInt8((base & 1) << 7) | 0x7E | UInt8(ext >> 8), UInt8(ext & 0xFF)]
        } else {
            packet.append(0x10)
        }
        stream += packet + [UInt8](repeating: UInt8(i & 0xFF), count: 188 - packet.count)
    }
    var pacer = MPEGTSPacer()
    var packetizer = RTPMP2TPacketizer()
    let datagrams = ((try? pacer.append(stream)) ?? []) + pacer.finish()
    let rtp = (packetizer.packetize(datagrams) + packetizer.flush()).map { ByteBuffer(bytes: $0.bytes) }
    let rtpBytes = rtp.reduce(0) { $0 + $1.readableBytes }

    Benchmark("RTP receive (reorder window, TS checks), \(rtp.count) datagrams, \(rtpBytes) bytes") { benchmark in
        for _ in benchmark.scaledIterations {
            var receiver = RTPReceiver()
            var delivered = 0
            for datagram in rtp {
                for case .transportStream(let ts) in receiver.received(datagram) { delivered &+= ts.count }
            }
            blackHole(delivered)
        }
    }

    Benchmark("PCR pacing + RTP/MP2T packetizing, \(stream.count) bytes") { benchmark in
        for _ in benchmark.scaledIterations {
            var pacer = MPEGTSPacer()
            var packetizer = RTPMP2TPacketizer()
            let out = packetizer.packetize((try? pacer.append(stream)) ?? []) + packetizer.flush()
            blackHole(out.count)
        }
    }

    Benchmark("memcpy floor, \(stream.count) bytes") { benchmark in
        var destination = [UInt8](repeating: 0, count: stream.count)
        for _ in benchmark.scaledIterations {
            destination.withUnsafeMutableBytes { out in
                stream.withUnsafeBytes { input in out.copyMemory(from: input) }
            }
            blackHole(destination)
        }
    }

    let body = "wfd_video_formats: 40 00 01 10 0001bdeb 051557ff 00000fff 10 0000 001f 11 0780 0438, 02 10 0001bdeb 155557ff 00000fff 10 0000 001f 11 0780 0438\r\nwfd_audio_codecs: LPCM 00000003 00, AAC 0000000f 00\r\nwfd_client_rtp_ports: RTP/AVP/UDP;unicast 1028 0 mode=play\r\nwfd_content_protection: none\r\n"
    let m3 = Array("RTSP/1.0 200 OK\r\nContent-Type: text/parameters\r\nContent-Length: \(body.utf8.count)\r\nCSeq: 2\r\n\r\n\(body)".utf8)
    Benchmark("RTSP M3 reply parse + typed parameters, \(m3.count) bytes") { benchmark in
        for _ in benchmark.scaledIterations {
            var buffer = ByteBuffer(bytes: m3)
            guard let message = try RTSPParser.parse(from: &buffer, limits: .default) else { continue }
            let list = try WFDParameterList(body: message.body)
            blackHole(list.lines.map { try? WFDParameter(name: $0.name, value: $0.value ?? "") })
        }
    }
}
