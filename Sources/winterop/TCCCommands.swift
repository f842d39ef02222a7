import ArgumentParser
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import TCCCore
import TCCRoles
import WinteropTransport

/// `winterop tcc …`: the MS-TCC roles.
struct TCCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcc",
        abstract: "Tethering Control Channel (MS-TCC): hand Wi-Fi hotspot settings to a client over RFCOMM or TCP.",
        subcommands: [TCCServeCommand.self, TCCRequestCommand.self]
    )
}

struct TCCServeCommand: AsyncParsableCommand, TCCServerSettings {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Act as the phone: answer tethering requests with the Wi-Fi hotspot's settings.",
        discussion: """
            Each client gets its own server instance (3.2); many at once. --provider says who brings the \
            hotspot up:
              static:ssid=NAME,passphrase=SECRET,display-name=TEXT[,bssid=01:02:03:04:05:06]
              fail:status=N[,error=TEXT]      (always fails with StatusCode N, for testing clients)
              networkmanager[:ifname=IF,con-name=NAME,ssid=…,password=…,display-name=…]
            Values may contain \\, for a comma. With --keys, requests carrying HMAC and Timestamp \
            (revision 10.0) are verified and answered encrypted; over TCP, --keys also makes the \
            HMAC mandatory. Plain TCP is not authenticated: a warning says so, unless --psk wraps \
            every connection in TLS 1.2 with a pre-shared key.
            """
    )

    @OptionGroup var events: EventOptions

    @Option(name: .long, help: "tcp:HOST:PORT or rfcomm:CHANNEL (1-30).")
    var transport: String = "tcp:0.0.0.0:\(TCCTransport.defaultTCPPort)"

    @Option(name: .long, help: "static:…, fail:status=N[,error=TEXT] or networkmanager (see above).")
    var provider: String?

    @OptionGroup var keyFiles: TCCKeyOptions
    var keys: String? { keyFiles.keys }
    var psk: String? { keyFiles.psk }

    @Option(name: .long, help: "Allowable Timestamp skew of unpaired requests, in seconds.")
    var maxSkew: Double = 300

    @Option(name: .long, help: "Clients served at once.")
    var maxConnections: Int = 256

    @Option(name: .long, help: .hidden)
    var serverTimeout: Double = 60

    func run() async throws {
        let eventLog = events.makeEventLog()
        let logger = Logger.role("winterop.tcc.serve")
        let configuration = try await TCCServerConfiguration(validating: self)
        if let warning = configuration.tcpWarning { EventLog.diagnostic("tcc serve: \(warning)") }
        EventLog.diagnostic("tcc serve: provider: \(configuration.provider.summary)")
        let server = TCCServer(configuration: configuration, events: eventLog, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        try await RoleRunner.serve([server], name: "tcc serve", events: eventLog, logger: logger)
    }
}

struct TCCRequestCommand: AsyncParsableCommand, TCCClientSettings {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Act as the laptop: ask a tethering server to bring up its hotspot and print the settings.",
        discussion: """
            Prints SSID, BSSID, passphrase and display name (or with --json one "settings" event). \
            Exit status 0 only when the settings came; 1 when the server refused, failed, timed out \
            or broke the protocol; 2 for bad options.
            """
    )

    @OptionGroup var events: EventOptions

    @Option(name: .long, help: "tcp:HOST:PORT or rfcomm:ADDRESS[/CHANNEL].")
    var transport: String?

    @OptionGroup var keyFiles: TCCKeyOptions
    var keys: String? { keyFiles.keys }
    var psk: String? { keyFiles.psk }

    @Option(name: .long, help: "Seconds to wait for the TCP connection.")
    var connectTimeout: Double = 10

    @Option(name: .long, help: .hidden)
    var messageTimeout: Double = 60

    @Option(name: .long, help: .hidden)
    var clockOffset: Double = 0

    func run() async throws {
        let eventLog = events.makeEventLog()
        let configuration = try TCCClientConfiguration(validating: self)
        if case .tcp = configuration.transport, configuration.machine.keys == nil, configuration.psk == nil {
            EventLog.diagnostic("tcc request: warning: TCP is not an authenticated channel; the passphrase travels in clear")
        }
        let client = TCCClient(configuration: configuration, events: eventLog, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let outcome = try await RoleRunner.client(name: "tcc request", logger: Logger.role("winterop.tcc.request")) {
            try await withGracefulShutdownHandler {
                try await client.run()
            } onGracefulShutdown: {
                client.cancel()
            }
        }
        guard outcome.succeeded else {
            throw RoleFailure.peer("tcc request: \(outcome.summary)")
        }
    }
}

/// `--keys` and `--psk`: the same two files on the server and the client.
struct TCCKeyOptions: ParsableArguments {
    @Option(name: .long, help: "JSON key file {\"k1\":…,\"k2\":…,\"k3\":…} (64 hex digits each), mode 0600: requests carry HMAC and Timestamp and responses are encrypted (revision 10.0). Server and client need the same file.")
    var keys: String?

    @Option(name: .long, help: "TLS-PSK over TCP: a file (mode 0600) holding the pre-shared key as hex (16 to 256 bytes). Server and client need the same file.")
    var psk: String?
}

extension ServeRoles {
    /// `winterop serve`'s MS-TCC server (service `tcc-server`), when `<data>/tcc/provider` names a provider.
    static var tccServer: any ServeRole { TCCServeRole() }
}
