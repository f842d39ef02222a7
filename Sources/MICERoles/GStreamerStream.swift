import Foundation
import WinteropTransport
import NIOConcurrencyHelpers
import WFDCore
import WFDRoles

/// `--media testsrc` and `--media screen`: a GStreamer pipeline (videotestsrc, or ximagesrc
/// capturing the X display in `DISPLAY`, scaled → x264enc → mpegtsmux) writing an H.264
/// MPEG-TS at the negotiated resolution on its standard output, read in chunks for
/// ``RTPStreamSender`` (which paces it by its PCR). Constrained Baseline, which every WFD
/// sink decodes (WFD-NOTES 4); a key frame each second so a sink can join late.
final class GStreamerStream: TransportStreamReader {
    /// Where the pictures come from.
    enum Capture: Sendable, Hashable {
        /// `videotestsrc pattern=smpte`.
        case testPattern
        /// `ximagesrc`: the X screen of `DISPLAY` (GND and miraclecast capture the same way).
        case screen
    }

    private let process = Process()
    private let output = Pipe()
    /// GStreamer's complaints, passed on to standard error until the pipeline is stopped.
    private let errors = Pipe()
    private let stopped = NIOLockedValueBox(false)
    /// The pipeline's output, read on a thread of its own (the sender runs on the event loop).
    private let buffer = LiveStreamBuffer()

    /// The pipeline's arguments for `gst-launch-1.0`.
    static func arguments(for video: WFDVideoMode?, capture: Capture = .testPattern) -> [String] {
        let width = video?.width ?? 1280
        let height = video?.height ?? 720
        let fps = max(1, video?.framesPerSecond ?? 30)
        let source: [String] = switch capture {
        case .testPattern: ["videotestsrc", "pattern=smpte"]
        // The screen at its own size and rate, made the negotiated size and rate.
        case .screen: ["ximagesrc", "use-damage=false", "show-pointer=true", "!", "videorate", "!", "videoscale", "!", "videoconvert"]
        }
        return ["-q"] + source + [
            "!", "video/x-raw,format=I420,width=\(width),height=\(height),framerate=\(fps)/1",
            "!", "x264enc", "speed-preset=ultrafast", "tune=zerolatency", "key-int-max=\(fps)", "bitrate=6000",
            "!", "video/x-h264,profile=constrained-baseline", "!", "h264parse", "config-interval=-1",
            "!", "mpegtsmux", "alignment=7", "!", "fdsink", "fd=1",
        ]
    }

    init(gstLaunch: String, video: WFDVideoMode?, capture: Capture = .testPattern) throws {
        process.executableURL = URL(fileURLWithPath: gstLaunch)
        process.arguments = Self.arguments(for: video, capture: capture)
        process.standardOutput = output
        process.standardError = errors
        let stopped = self.stopped
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw GStreamerUnavailable(media: capture == .screen ? "screen" : "testsrc", detail: "\(error)")
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

struct GStreamerUnavailable: Error, CustomStringConvertible {
    /// `testsrc` or `screen`.
    var media: String
    var detail: String
    var description: String {
        "--media \(media) needs GStreamer (gst-launch-1.0 with x264enc and mpegtsmux\(media == "screen" ? ", ximagesrc" : ""): apt-get install gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly): \(detail)"
    }
}
