import ArgumentParser
import Logging
import NFPSCore
import NFPSRoles
import NIOCore
import WinteropTransport
import WinteropWire

/// `winterop nfps …`: the MS-NFPS roles.
struct NFPSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nfps",
        abstract: "Near Field Proximity Sharing (MS-NFPS): AES-encrypted \"tap and send\" of an OPC package.",
        discussion: """
            The NFPB session values (MS-NFPB) come from the command line: --session-id is the \
            8-byte SessionID in hex, --secret the SharedSecretKey in hex; both sides must give the same. \
            The key is the first 16 bytes of SHA-256(SharedSecretKey), the stream AES-128-CBC.
            """,
        subcommands: [NFPSSendCommand.self, NFPSReceiveCommand.self, NFPSBenchCommand.self]
    )
}

struct NFPSSendCommand: AsyncParsableCommand, ShareSenderSettings {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Share files: listen for a share receiver and send them to it as an encrypted OPC package.",
        discussion: """
            The files are packed into an OPC package (a ZIP with [Content_Types].xml and one part per \
            file, built in a temporary file), or with --raw FILE that file's bytes are the package. \
            Waits for a receiver, sends once, and exits: 0 when sent, 1 when declined or failed \
            (a receiver that takes none of the package for --stall-timeout seconds fails the share). \
            The done event carries the package's size and SHA-256 (none with --no-sha256).
            """
    )

    @OptionGroup var events: EventOptions

    @Option(name: .long, help: "Address to listen on (HOST:PORT; port 0 picks one, reported in the listening event).")
    var listen: String

    @OptionGroup var session: NFPBSessionOptions
    var sessionID: String { session.sessionID }
    var secret: String { session.secret }

    @Option(name: .long, help: "Send this file's bytes as the package, unchanged, instead of packing FILE….")
    var raw: String?

    @Option(name: .long, help: "Give up when no receiver has connected within this many seconds (default: wait).")
    var timeout: Double?

    @Option(name: .customLong("stall-timeout"), help: "Seconds the chosen receiver may take none of the package (it stopped reading) before the share fails.")
    var stallTimeout = Double(NFPSTimeouts.defaultStall.components.seconds)

    @Flag(name: .customLong("no-sha256"), help: NFPBSessionOptions.noSHA256Help)
    var noSHA256 = false

    @Argument(help: "The files to share.")
    var files: [String] = []

    func run() async throws {
        let sender = ShareSender(configuration: try ShareSenderConfiguration(validating: self), events: events.makeEventLog())
        let outcome = try await RoleRunner.client(name: "nfps send", logger: Logger.role("winterop.nfps.send")) {
            try await sender.run()
        }
        switch outcome {
        case .sent: return
        case .declined: throw RoleFailure.peer("nfps send: the receiver declined the share")
        case .failed(let reason): throw RoleFailure.peer("nfps send: \(reason)")
        }
    }
}

struct NFPSReceiveCommand: AsyncParsableCommand, ShareReceiverSettings {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Connect to a share sender and receive, decrypt and unpack its OPC package.",
        discussion: """
            Connects to every --to address in parallel (each as [TYPE@]HOST:PORT; TYPE is the MS-NFPS \
            2.2.5 connection type, by default taken from the address) and keeps the first whose echo \
            matches. The package is stored in a hidden file in --out as it arrives and unpacked once \
            complete; on failure nothing is left. The done event carries the package's size and \
            SHA-256 (none with --no-sha256). Exits 0 when received (or declined with --decline), \
            1 on failure.
            """
    )

    @OptionGroup var events: EventOptions

    @Option(name: .long, help: "The share sender's addresses: [TYPE@]HOST:PORT[,…], tried in parallel.")
    var to: String

    @OptionGroup var session: NFPBSessionOptions
    var sessionID: String { session.sessionID }
    var secret: String { session.secret }

    @Option(name: .long, help: "Directory the received files go to (created if missing).")
    var out: String

    @Flag(name: .long, help: "Decline the share: set the Abort flag in the Socket Connect header.")
    var decline = false

    @Flag(name: .long, help: "Keep the package bytes as they are (\(ShareReceiverConfiguration.rawFileName) in --out) instead of unpacking.")
    var raw = false

    @Option(name: .long, help: "Seconds the socket set-up may take before giving up.")
    var timeout: Double = 30

    @Option(name: .customLong("stall-timeout"), help: "Seconds the share sender may send nothing, once connected, before the transfer is abandoned.")
    var stallTimeout = Double(NFPSTimeouts.defaultStall.components.seconds)

    @Flag(name: .customLong("no-sha256"), help: NFPBSessionOptions.noSHA256Help)
    var noSHA256 = false

    func run() async throws {
        let receiver = ShareReceiver(configuration: try ShareReceiverConfiguration(validating: self), events: events.makeEventLog())
        let outcome = try await RoleRunner.client(name: "nfps receive", logger: Logger.role("winterop.nfps.receive")) {
            try await receiver.run()
        }
        switch outcome {
        case .received, .declined: return
        case .failed(let reason): throw RoleFailure.peer("nfps receive: \(reason)")
        }
    }
}

/// `winterop nfps bench`: the stream cipher's throughput per call size (build with -c release).
struct NFPSBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the MS-NFPS stream cipher (AES-128-CBC) per call size; compare with openssl speed -evp aes-128-cbc.",
        shouldDisplay: false
    )

    @Option(name: .long, help: "MiB encrypted and decrypted per round.")
    var mebibytes: Int = 256

    func run() throws {
        for size in [16 << 10, 64 << 10, 1 << 20] {
            for figure in try NFPSMeasurements.cipher(chunkSize: size, total: mebibytes << 20) { print(figure) }
        }
    }
}

// MARK: Decode kinds

/// `winterop decode nfps-connect|nfps-share|nfps-reply`: the MS-NFPS headers (2.2.1–2.2.3).
extension DecodeKind {
    static let nfpsConnect = DecodeKind(name: "nfps-connect", summary: "MS-NFPS Socket Connect header (12 bytes, 2.2.1)") { bytes, _ in
        try SocketConnectHeader.decode(bytes: bytes.readableBytesView).json
    }
    static let nfpsShare = DecodeKind(name: "nfps-share", summary: "MS-NFPS Share header (HeaderSize ≥ 10, 2.2.2)") { bytes, _ in
        try ShareHeader.decode(bytes: bytes.readableBytesView).json
    }
    static let nfpsReply = DecodeKind(name: "nfps-reply", summary: "MS-NFPS Reply header (HeaderSize ≥ 2, 2.2.3)") { bytes, _ in
        try ReplyHeader.decode(bytes: bytes.readableBytesView).json
    }
}

/// `--session-id` and `--secret`: the NFPB session both ends of a share give alike.
struct NFPBSessionOptions: ParsableArguments {
    @Option(name: .customLong("session-id"), help: "The NFPB SessionID: 8 bytes as 16 hex digits.")
    var sessionID: String

    @Option(name: .long, help: "The NFPB SharedSecretKey in hex.")
    var secret: String

    /// `--no-sha256` on either side.
    static let noSHA256Help: ArgumentHelp = "Do not compute the package's SHA-256 (the done event then has no sha256 field); saves about a third of the sender's CPU and half of the receiver's on a large share."
}
