import Foundation

/// `--player auto|none|COMMAND` (DESIGN.md, Projection): where the received stream is played.
public enum WFDPlayerChoice: Sendable, Hashable {
    /// GStreamer (or ffplay) when one is installed and a display exists, else nothing.
    case auto
    case none
    /// A shell command that reads the transport stream on its standard input.
    case command(String)

    public init(argument: String) {
        switch argument {
        case "auto": self = .auto
        case "none": self = .none
        default: self = .command(argument)
        }
    }

    /// The GStreamer pipeline for a transport stream on standard input (WFD-NOTES 5:
    /// tsdemux → h264parse → avdec_h264, as miraclecast's player without the RTP stages).
    public static let gstreamer = "gst-launch-1.0 -q fdsrc fd=0 ! tsdemux ! h264parse ! avdec_h264 ! videoconvert ! autovideosink sync=false"
    public static let ffplay = "ffplay -loglevel error -fflags nobuffer -i -"

    /// The command to run, nil for none. `auto` needs a display (`DISPLAY` or
    /// `WAYLAND_DISPLAY`) and finds `gst-launch-1.0` then `ffplay` on `PATH`.
    public func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        switch self {
        case .none: return nil
        case .command(let command): return command
        case .auto:
            guard environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil else { return nil }
            if Self.onPath("gst-launch-1.0", environment) { return Self.gstreamer }
            if Self.onPath("ffplay", environment) { return Self.ffplay }
            return nil
        }
    }

    static func onPath(_ program: String, _ environment: [String: String]) -> Bool {
        (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(program)")
        }
    }
}

/// A player process fed through a pipe: the command runs under `/bin/sh -c` with the
/// transport stream on its standard input. Closing ends its input and then the process.
public final class WFDPlayerPipe: TransportStreamOutput {
    private let process = Process()
    private let input = Pipe()
    public let command: String
    private var open = true

    public init(command: String) throws {
        self.command = command
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardInput = input
        do {
            try process.run()
        } catch {
            throw PlayerError.cannotStart(command, "\(error)")
        }
        // A player that exits must not kill us with SIGPIPE: writes then fail instead.
        signal(SIGPIPE, SIG_IGN)
    }

    public var isRunning: Bool { process.isRunning }

    public func write(_ bytes: [UInt8]) {
        guard open, process.isRunning else { return }
        do {
            try input.fileHandleForWriting.write(contentsOf: Data(bytes))
        } catch {
            open = false
        }
    }

    /// Ends the player's input and waits up to `grace` for it to exit, then terminates it.
    public func close() {
        guard open || process.isRunning else { return }
        open = false
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    public var exitStatus: Int32? { process.isRunning ? nil : process.terminationStatus }
}
