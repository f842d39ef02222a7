import ArgumentParser
import Foundation
import Logging
import MICECore
import MICERoles
import NIOCore
import NIOPosix
import ServiceLifecycle
import WFDCore
import WFDRoles
import WinteropTransport
import WinteropWire

/// `winterop mice …`: the MS-MICE roles.
struct MICECommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mice",
        abstract: "Miracast over Infrastructure (MS-MICE): project a display over TCP 7250.",
        subcommands: [MICESinkCommand.self, MICESourceCommand.self, MICEIECommand.self]
    )
}

struct MICESinkCommand: AsyncParsableCommand, MICESinkSettings {
    static let configuration = CommandConfiguration(
        commandName: "sink",
        abstract: "Receive projections: listen on TCP 7250, pair by PIN over DTLS, connect back to the source's RTSP port.",
        discussion: """
            One source at a time (a second connection is refused unless --replace-existing). \
            With PIN support on, the PIN a source must enter is shown here ("PIN: …", or the \
            pin_displayed event) at start and whenever a source asks for PIN entry; a random PIN \
            is replaced once a connection has used it. Ctrl-C sends STOP_PROJECTION and closes.
            """
    )

    @OptionGroup var events: EventOptions

    @Option(name: .long, help: "Address to listen on (HOST:PORT; port 0 picks a free port).")
    var listen: String = "0.0.0.0:\(MICE.sinkPort)"

    @Option(name: .long, help: "The sink's friendly name (mDNS instance name). Default: the host name.")
    var name: String?

    @Option(name: .long, help: "random (shown at start, replaced after each use), a fixed 8-digit PIN, or off (no PIN support).")
    var pin: MICESinkConfiguration.PINMode = .random

    @Option(name: .long, help: "DTLS stream encryption: on or off.")
    var encryption: MICESinkOptions.Switch = .on

    @Flag(name: .long, inversion: .prefixedNo, help: "Register <name>._display._tcp.local over mDNS (3.1.3).")
    var advertise = true

    @Option(name: .long, help: "The container ID GUID in the mDNS TXT record (default: kept under --data).")
    var containerId: String?

    @Option(name: .long, help: "Directory where the container ID is kept.")
    var data: String = "./winterop-data"

    @Flag(name: .long, help: "Replace a connected source with a new one instead of refusing the new one (3.1.5.2).")
    var replaceExisting = false

    @Flag(name: .long, help: "With a PIN, also project sources that skip PIN pairing (MS-MICE permits it; by default they are refused).")
    var allowUnpaired = false

    @Option(name: .long, help: "Session Establishment Timer in seconds without PIN entry (default 30; PIN entry gets 120 or this, whichever is larger). Lower it for tests.")
    var sessionTimeout: Double = 30

    @Option(name: .long, help: "Seconds a source address waits before its next PIN attempt after three wrong PINs; doubles with each further wrong PIN, up to 60 s or this (default 1).")
    var pinBackoff: Double = 1

    @Option(name: .long, help: "PEM certificate for DTLS (default: a self-signed one made at start).")
    var certificate: String?

    @Option(name: .long, help: "PEM private key for --certificate.")
    var key: String?

    @Option(name: .long, help: "UDP port for the projected stream, advertised in wfd_client_rtp_ports (0 picks a free one).")
    var rtpPort: Int = Int(WFD.defaultRTPPort)

    @Option(name: .long, help: ArgumentHelp("Advertise this UDP port in wfd_client_rtp_ports and the M6 SETUP instead of --rtp-port, when the source cannot reach --rtp-port directly: a NAT or firewall port forward, a container's published port (docker -p 5000:1028/udp), or a relay that forwards (and may drop or reorder) datagrams to --rtp-port. The stream still arrives on --rtp-port; stream_started names the bound port.", valueName: "port"))
    var rtpAdvertisePort: Int?

    @Option(name: .long, help: "Where the received MPEG-TS goes: auto (GStreamer or ffplay when installed and a display exists), none, or a COMMAND that reads it on standard input.")
    var player: WFDPlayerChoice = .auto

    @Option(name: .long, help: "Write the received transport stream to FILE (decrypted, reordered, TS packets only).")
    var record: String?

    @Option(name: .long, help: ArgumentHelp("Be found over Wi-Fi Direct (MS-MICE 3.1.3): wpa_supplicant's P2P control socket, e.g. /var/run/wpa_supplicant/p2p-dev-wlan0. The vendor extension attribute is added to P2P probe responses and beacons and the device listens; both are undone on exit.", valueName: "path"))
    var wpaCtrl: String?

    func run() async throws {
        try await events.run { eventLog in
            let logger = Logger.role("winterop.mice.sink")
            let sink = try MICESinkService(validating: self, events: eventLog, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
            try await RoleRunner.serve([sink], name: "mice sink", events: eventLog, logger: logger)
        }
    }
}

struct MICESourceCommand: AsyncParsableCommand, MICESourceSettings {
    static let configuration = CommandConfiguration(
        commandName: "source",
        abstract: "Project to a sink: connect to its TCP 7250, pair, and wait for its RTSP connect-back.",
        discussion: """
            Give the sink as --sink HOST[:PORT], or as the vendor extension attribute it advertises \
            (--ie HEX). Without discovery data the sink is assumed to support encryption and PINs: \
            --pin NNNNNNNN uses PIN entry, --pin off --encryption off sends SOURCE_READY first. \
            While projecting, SIGUSR1 pauses the stream (the Wi-Fi Display PAUSE trigger; the sink \
            answers with M9) and SIGUSR2 resumes it (PLAY; M7). \
            Exit status 1 names the reason when the attempt is abandoned.
            """
    )

    @OptionGroup var events: EventOptions

    @Option(name: .long, help: "The sink: HOST[:PORT] (port 7250 by default).")
    var sink: String?

    @Option(name: .long, help: "The sink's WSC vendor extension attribute in hex (capabilities, host name, IP addresses).")
    var ie: String?

    @Option(name: .long, help: "With --ie: the sink's TCP port (the attribute carries none; default 7250).")
    var iePort: Int = MICE.sinkPort

    @Option(name: .long, help: "Override the sink's capability byte (hex, e.g. 27 = version 1, encryption, PIN).")
    var capabilities: String?

    @Option(name: .long, help: "The source's friendly name. Default: the host name.")
    var name: String?

    @Option(name: .long, help: "The PIN the sink shows (8 digits), or off. Default: ask on the terminal when PIN entry is used.")
    var pin: MICESourceOptions.PIN?

    @Option(name: .long, help: "DTLS stream encryption: auto (if the sink supports it), on or off.")
    var encryption: SourceStateMachine.Configuration.EncryptionPreference = .auto

    @Option(name: .long, help: "Where to listen for the sink's RTSP connection (HOST:PORT; port 0 picks one).")
    var rtspListen: String = "0.0.0.0:\(MICE.defaultRTSPPort)"

    @Option(name: .long, help: "Local IP address for the TCP 7250 connection.")
    var bind: String?

    @Option(name: .long, help: "Send STOP_PROJECTION and close this many seconds after the sink connected back.")
    var stopAfter: Double?

    @Option(name: .long, help: "Discovery timer for host name resolution, in seconds.")
    var discoveryTimeout: Double = 1.5

    @Option(name: .long, help: "Control Channel Connection timer, in seconds.")
    var controlTimeout: Double = 5

    @Option(name: .long, help: "Security Handshake Message Timer in seconds: how long to wait for each DTLS or PIN answer (MS-MICE 3.2.2: 1). Raise it to wait out a sink that slows PIN guessing.")
    var handshakeTimeout: Double = 1

    @Flag(name: .long, help: "Without --ie or --capabilities and with --encryption auto: if the secured attempt fails (a sink without PIN or DTLS), try the plain flow once.")
    var fallbackPlain = false

    @Option(name: .long, help: "What to project once the sink connects back: an MPEG-TS FILE paced by its PCR (when it ends the source tears down), testsrc (a GStreamer test pattern at the negotiated resolution), or screen (the X display in DISPLAY, captured by GStreamer's ximagesrc and scaled to it). Default: negotiate only.")
    var media: String?

    @Flag(name: .long, help: "Repeat --media until stopped.")
    var loop = false

    @Option(name: .long, help: ArgumentHelp("Send --media FILE at this constant rate in Mbit/s (transport-stream bytes) instead of by its PCR: for a file without usable PCRs, or to load a link or a sink (with --loop, e.g. --rate-mbps 100).", valueName: "mbit/s"))
    var rateMbps: Double?

    @Option(name: .long, help: "Seconds between keep-alives (M16; default: the announced timeout minus 5).")
    var keepalive: Double?

    @Option(name: .long, help: "Session timeout announced to the sink in the M6 reply, in seconds.")
    var keepaliveTimeout: Int = 30

    func run() async throws {
        try await events.run { eventLog in
            let configuration = try MICESourceConfiguration(validating: self, events: eventLog)
            let source = MICESource(
                configuration: configuration, events: eventLog, eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                resolver: MICEHostResolution.dnsAndMDNS(
                    eventLoopGroup: MultiThreadedEventLoopGroup.singleton, mdnsTimeout: configuration.discoveryTimeout.timeAmount
                ),
                pinProvider: { await MICEPINPrompt.ask() }
            )
            let control = SignalActions([SIGUSR1: { source.pause() }, SIGUSR2: { source.play() }])
            defer { control.cancel() }
            let reason = try await RoleRunner.client(name: "mice source", logger: Logger.role("winterop.mice.source")) {
                try await withGracefulShutdownHandler {
                    try await source.run()
                } onGracefulShutdown: {
                    source.disconnect()
                }
            }
            if reason.isFailure {
                throw RoleFailure.peer("mice source: \(reason)" + (configuration.advice(after: reason).map { "; \($0)" } ?? ""))
            }
        }
    }
}

/// Reads the PIN from the terminal (3.2.4.2).
enum MICEPINPrompt {
    static func ask() async -> String? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                FileHandle.standardError.writeText("Enter the PIN shown on the sink: ")
                let line = readLine()?.trimmingCharacters(in: .whitespaces)
                continuation.resume(returning: line.flatMap { PINHash.isValidPIN($0) ? $0 : nil })
            }
        }
    }
}

extension MICESinkConfiguration.PINMode: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument {
        case "random": self = .random
        case "off": self = .off
        case let fixed where PINHash.isValidPIN(fixed): self = .fixed(fixed)
        default: return nil
        }
    }
}

extension MICESourceOptions.PIN: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension MICESinkOptions.Switch: ExpressibleByArgument {}
extension WFDPlayerChoice: ExpressibleByArgument {}
extension SourceStateMachine.Configuration.EncryptionPreference: ExpressibleByArgument {}

struct MICEIECommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ie",
        abstract: "Build or decode the Wi-Fi Simple Configuration vendor extension attribute a sink advertises.",
        subcommands: [MICEIEBuildCommand.self, MICEIEDecodeCommand.self]
    )
}

struct MICEIEBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Print (hex) the vendor extension attribute this sink's configuration puts in its beacons (2.2.8)."
    )

    @Option(name: .long, help: "Host name (not fully qualified; default: this machine's).")
    var hostName: String?

    @Option(name: .long, help: "IP Address attribute (repeatable).")
    var ip: [String] = []

    @Option(name: .long, help: "As for mice sink: random, 8 digits or off.")
    var pin: String = "random"

    @Option(name: .long, help: "As for mice sink: on or off.")
    var encryption: String = "on"

    @Option(name: .long, help: "BSSID of the access point (aa:bb:cc:dd:ee:ff).")
    var bssid: String?

    @Flag(name: .long, help: "Print the attribute decoded as JSON instead of hex.")
    var json = false

    func run() throws {
        let encryptionOn = encryption == "on"
        guard encryption == "on" || encryption == "off" else { throw RoleFailure.usage("--encryption must be on or off") }
        guard pin == "random" || pin == "off" || PINHash.isValidPIN(pin) else { throw RoleFailure.usage("--pin must be random, off or 8 digits") }
        var bssidBytes: [UInt8]?
        if let bssid {
            guard let bytes = Hex.decode(bssid), bytes.count == 6 else { throw RoleFailure.usage("--bssid must be 6 bytes") }
            bssidBytes = bytes
        }
        let attribute = VendorExtensionAttribute(
            capability: MICECapability(streamEncryption: encryptionOn, pin: encryptionOn && pin != "off"),
            hostName: hostName ?? localHostName(), bssid: bssidBytes, ipAddresses: ip
        )
        if attribute.hostName.contains(".") {
            throw RoleFailure.usage("--host-name must not contain '.' (2.2.8.2)")
        }
        do {
            let bytes = try attribute.encoded()
            print(json ? attribute.json.jsonText : Hex.encode(bytes))
        } catch {
            throw RoleFailure.usage("cannot build the attribute: \(error)")
        }
    }
}

struct MICEIEDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode a vendor extension attribute (hex) and print its fields (same as `winterop decode mice-ie`)."
    )

    @Argument(help: "The attribute in hex.")
    var hex: String

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        guard let bytes = Hex.decode(hex) else { throw RoleFailure.usage("'\(hex.prefix(40))' is not hex") }
        do {
            let attribute = try VendorExtensionAttribute.decode(bytes)
            print(json ? attribute.json.jsonText : attribute.json.text)
        } catch {
            throw RoleFailure.peer("malformed vendor extension attribute: \(error)")
        }
    }
}

extension DecodeKind {
    /// `winterop decode mice`: a message on TCP 7250 with its TLVArray in clear (2.2).
    static let miceMessage = DecodeKind(name: "mice", summary: "an MS-MICE message on TCP 7250 (header and clear TLVArray, 2.2)") { bytes, _ in
        try MICEMessage.decode(bytes: Array(bytes.readableBytesView)).json
    }

    /// `winterop decode mice-ie`: the WSC vendor extension attribute (2.2.8).
    static let miceVendorExtension = DecodeKind(name: "mice-ie", summary: "the MS-MICE WSC vendor extension attribute a sink advertises (2.2.8)") { bytes, _ in
        try VendorExtensionAttribute.decode(Array(bytes.readableBytesView)).json
    }
}

extension ServeRoles {
    /// `winterop serve`'s MS-MICE sink (service `mice-sink`): DTLS with a certificate made at start.
    static var miceSink: any ServeRole {
        do {
            return MICESinkServeRole(dtls: try OpenSSLDTLSFactory.selfSigned(commonName: "winterop"))
        } catch {
            EventLog.diagnostic("mice-sink: cannot make a DTLS certificate (\(error)); serving without stream encryption or PIN pairing")
            return MICESinkServeRole(dtls: nil)
        }
    }
}
