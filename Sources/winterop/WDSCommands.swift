import ArgumentParser
import Foundation
import Logging
import NIOPosix
import WDSMSICore
import WDSMSIRoles
import WinteropTransport

/// `winterop wds …`: the MS-WDSMSI roles.
struct WDSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wds",
        abstract: "WDS Multicast Session Initiation (MS-WDSMSI): set up multicast sessions over UDP 5041.",
        subcommands: [WDSServeCommand.self, WDSRequestCommand.self, WDSBenchCommand.self]
    )
}

struct WDSServeCommand: AsyncParsableCommand, WDSServerSettings {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer multicast session requests for content in namespaces on UDP 5041.",
        discussion: """
            Each --namespace NAME=DIR serves the files under DIR as that namespace's content \
            (a file NAME.metadata beside a file is its content metadata). A request gets a \
            multicast session: one per namespace and content while it lives, its own address \
            from --multicast-range and port from --ports. UDP clients are pre-OS clients and \
            get checksum security (3.1.5.3); the security modes below apply to WDS Control \
            Protocol clients. Keys are made once and kept under --data.
            """
    )

    @OptionGroup var events: EventOptions

    @Option(name: .long, help: "Address to listen on (HOST:PORT; port 0 picks a free port).")
    var listen: String = "0.0.0.0:\(WDSMSI.serverPort)"

    @Option(name: .long, help: "A namespace: NAME=DIR (repeatable).")
    var namespace: [String] = []

    @Option(name: .long, help: "A JSON file of content providers and namespaces (see README).")
    var config: String?

    @Option(name: .long, help: "Directory where the server's HMAC and RSA keys are kept.")
    var data: String = "./winterop-data"

    @Option(name: .long, help: "Server security mode for WDS Control Protocol clients: sign, hash, checksum or none.")
    var serverSecurityMode: SecurityMode = .sign

    @Option(name: .long, help: "Client security mode: hash (with sign or hash), checksum or none (3.1.5.1 pairs).")
    var clientSecurityMode: SecurityMode = .hash

    @Option(name: .long, help: "Multicast addresses for sessions, ADDRESS/PREFIX (repeatable: one IPv4, one IPv6; default 239.0.0.0/8 and ff15::/16).")
    var multicastRange: [String] = []

    @Option(name: .long, help: "UDP ports for sessions, FIRST-LAST.")
    var ports: String = "64001-65000"

    @Option(name: .long, help: "Block size in bytes (default 1024: one block per packet within a 1500-byte MTU).")
    var blockSize: Int = 1024

    @Option(name: .long, help: "Seconds a session lives after the last request for it.")
    var sessionLifetime: Double = 600

    @Option(name: .long, help: "This server's address for sessions (repeatable: IPv4 and IPv6; default: the address a request arrives on).")
    var serverAddress: [String] = []

    @Flag(name: .long, inversion: .prefixedNo, help: "Let unauthenticated (UDP) clients have the --namespace content (AllowUnauthenticated).")
    var allowUnauthenticated = true

    @Option(name: .long, help: "HashAlgId sent with hash security (CryptoAPI ALG_ID; CALG_SHA_256 by default).")
    var hashAlgId: String = "0x800C"

    @Option(name: .long, help: "HMACAlgId sent with hash security (CryptoAPI ALG_ID; CALG_HMAC by default).")
    var hmacAlgId: String = "0x8009"

    func run() async throws {
        let eventLog = events.makeEventLog()
        let logger = Logger.role("winterop.wds.serve")
        let server = try WDSServer(validating: self, events: eventLog, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        try await RoleRunner.serve([server], name: "wds serve", events: eventLog, logger: logger)
    }
}

struct WDSRequestCommand: AsyncParsableCommand, WDSRequestSettings {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Ask a WDS server for the multicast session that carries a namespace's content.",
        discussion: """
            Sends a request over UDP and again every second until the server answers or \
            --timeout passes (3.1.6), then prints the session. An error packet from the \
            server exits with status 1 and its Win32 error code and name.
            """
    )

    @OptionGroup var events: EventOptions

    @Option(name: .long, help: "The server, HOST[:PORT] (port 5041 by default).")
    var server: String

    @Option(name: .long, help: "The multicast namespace.")
    var namespace: String

    @Option(name: .long, help: "The content's name in that namespace.")
    var content: String

    @Option(name: .long, help: "This client's MAC address, 00:11:22:33:44:55.")
    var mac: String

    @Flag(name: .long, help: "Say that this client can receive IPv6 multicast.")
    var ipv6 = false

    @Option(name: .long, help: "Seconds to keep asking before giving up.")
    var timeout: Double = 10

    func run() async throws {
        let eventLog = events.makeEventLog()
        let configuration = try WDSRequestConfiguration(validating: self)
        let client = WDSRequestClient(configuration: configuration, events: eventLog, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let outcome = try await RoleRunner.client(name: "wds request", logger: Logger.role("winterop.wds.request")) {
            try await client.run()
        }
        switch outcome {
        case .session(let reply, let modes):
            eventLog.emit(WDSClientEvent.session(reply, modes))
        case .serverError(let error):
            eventLog.emit(WDSClientEvent.serverError(error))
            throw RoleFailure.peer("wds request: the server refused \(namespace)/\(content): \(error)")
        case .invalidReply(let error):
            eventLog.emit(WDSClientEvent.invalidReply(error))
            throw RoleFailure.peer("wds request: the server's reply is invalid: \(error)")
        case .timedOut(let attempts):
            eventLog.emit(WDSClientEvent.timedOut(attempts: attempts, seconds: timeout))
            throw RoleFailure.peer("wds request: no reply from \(server) after \(attempts) request\(attempts == 1 ? "" : "s") in \(timeout) s; is `winterop wds serve` running there?")
        }
    }
}

/// `winterop wds bench`: the WDSBenchmarks figure without the harness: the server's
/// replies per second under a load generator beside a bare UDP echo, both on 127.0.0.1.
struct WDSBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the server's replies per second against a bare UDP echo on this machine (build with -c release)."
    )

    @Option(name: .long, help: "Requests per run.")
    var requests: Int = 200_000

    @Option(name: .long, help: "Requests kept in flight.")
    var window: Int = 64

    @Option(name: .long, help: "Runs; each prints its figures.")
    var runs: Int = 3

    func run() async throws {
        guard requests > 0, window > 0, runs > 0 else { throw RoleFailure.usage("--requests, --window and --runs must be above 0") }
        for run in 1...runs {
            let (server, echo) = try await WDSMeasurements.compare(total: requests, window: window, group: MultiThreadedEventLoopGroup.singleton)
            let ratio = echo.perSecond > 0 ? server.perSecond / echo.perSecond : 0
            print("run \(run): wds-server \(Int(server.perSecond)) replies/s (\(server.replies) of \(requests)), bare UDP echo \(Int(echo.perSecond)) replies/s (\(echo.replies)), ratio \(String(format: "%.2f", ratio))")
        }
    }
}

extension SecurityMode: ExpressibleByArgument {
    public init?(argument: String) {
        guard let mode = SecurityMode.allCases.first(where: { $0.description == argument.lowercased() }) else { return nil }
        self = mode
    }

    public static var allValueStrings: [String] { allCases.map(\.description) }

    public var defaultValueDescription: String { description }
}
