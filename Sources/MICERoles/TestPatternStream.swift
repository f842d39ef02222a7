import Foundation
import WinteropTransport
import NIOConcurrencyHelpers
import WFDCore
import WFDRoles

/// `--media testsrc`: a GStreamer pipeline (videotestsrc → x264enc → mpegtsmux) writing an
/// H.264 MPEG-TS at the negotiated resolution on its standard output, read in chunks for
/// ``RTPStreamSender`` (which paces it by its PCR). Constrained Baseline, which every WFD
/// sink decodes (WFD-NOTES 4); a key frame each second so a sink can join late.
final class TestPatternStream: TransportStreamReader {
    private let process = Process()
    private let output = Pipe()
    /// GStreamer's complaints, passed on to standard error until the pipeline is stopped.
    private let errors = Pipe()
    private let stopped = NIOLockedValueBox(false)
    /// The pipeline's output, read on a thread of its own (the sender runs on the event loop).
    private let buffer = LiveStreamBuffer()

    /// The pipeline's arguments for `gst-launch-1.0`.
    static func arguments(for video: WFDVideoMode?) -> [String] {
        let width = video?.width ?? 1280
        let height = video?.height ?? 720
        let fps = max(1, video?.framesPerSecond ?? 30)
        return [
            "-q", "videotestsrc", "pattern=smpte", "!", "video/x-raw,format=I420,width=\(width),height=\(height),framerate=\(fps)/1",
            "!", "x264enc", "speed-preset=ultrafast", "tune=zerolatency", "key-int-max=\(fps)", "bitrate=6000",
            "!", "video/x-h264,profile=constrained-baseline", "!", "h264parse", "config-interval=-1",
            "!", "mpegtsmux", "alignment=7", "!", "fdsink", "fd=1",
        ]
    }

    init(gstLaunch: String, video: WFDVideoMode?) throws {
        process.executableURL = URL(fileURLWithPath: gstLaunch)
        process.arguments = Self.arguments(for: video)
        process.standardOutput = output
        process.standardError = errors
        let stopped = self.stopped
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw TestPatternUnavailable(detail: "\(error)")
        }
        let buffer = self.buffer
        output.fileHandleForReading.readInBackground(onData: { buffer.put(Array($0)) }, onEnd: { buffer.end() })
        errors.fileHandleForReading.readInBackground { data in
            if !stopped.withLockedValue({ $0 }) { try? FileHandle.standardError.writeAllBytes(data) }
        }
    }

    /// What the pipeline has written since the last call (empty if nothing yet), nil once
    /// it has ended; never waits.
    func read() throws -> [UInt8]? {
        buffer.take()
    }

    /// Ends the pipeline.
    func stop() {
        // What it says while dying (a broken pipe) is not news.
        stopped.withLockedValue { $0 = true }
        if process.isRunning { process.terminate() }
        buffer.end()
    }
}

struct TestPatternUnavailable: Error, CustomStringConvertible {
    var detail: String
    var description: String {
        "--media testsrc needs GStreamer (gst-launch-1.0 with x264enc and mpegtsmux: apt-get install gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly): \(detail)"
    }
}
