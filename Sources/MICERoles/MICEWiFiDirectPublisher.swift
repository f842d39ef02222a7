import MICECore
import NIOPosix
import ServiceLifecycle
import WinteropTransport

/// Makes the sink discoverable over Wi-Fi Direct (3.1.3) through wpa_supplicant's control
/// interface: runs ``WiFiDirectPublication``'s commands over a ``WPAControlSocket`` once the
/// sink listens, reports `wifi_direct_published`, and on graceful shutdown removes every
/// element it added and stops listening (`wifi_direct_withdrawn`). A refused start command
/// ends the sink with a ``RoleFailure`` naming the command and what to check.
public struct MICEWiFiDirectPublisher: Sendable {
    /// The P2P device's control socket (`--wpa-ctrl`).
    public let controlPath: String
    /// The WSC elements carrying the Vendor Extension attribute.
    public let elements: [UInt8]
    /// The Wi-Fi Display Device Information subelement set beside it (a primary sink,
    /// available, RTSP port 7236); nil leaves Wi-Fi Display alone.
    public var wfdDeviceInformation: WFDDeviceInformation? = WFDDeviceInformation()
    /// Where the client socket wpa_supplicant answers to is made.
    public var clientDirectory: String
    public var replyTimeout: Duration = .seconds(5)

    public init(controlPath: String, attribute: VendorExtensionAttribute, clientDirectory: String) throws(RoleFailure) {
        self.controlPath = controlPath
        self.clientDirectory = clientDirectory
        do {
            self.elements = try WSCVendorElement.elements(carrying: attribute)
        } catch {
            throw .usage("cannot build the vendor extension attribute for --wpa-ctrl: \(error)")
        }
    }

    /// Publishes, waits for graceful shutdown (or cancellation), then withdraws.
    public func run(events: EventLog) async throws {
        let path = controlPath
        let directory = clientDirectory
        let socket: WPAControlSocket
        do {
            socket = try await NIOThreadPool.singleton.runIfActive {
                try WPAControlSocket(path: path, directory: directory)
            }
        } catch let error as WPAControlSocket.OpenError {
            throw RoleFailure.usage("--wpa-ctrl: \(error.description)")
        }
        defer { socket.release() }
        var machine = WiFiDirectPublication(elements: elements, wfdDeviceInformation: wfdDeviceInformation, replyTimeout: replyTimeout)
        var outcome = try await execute(machine.start(), on: socket, machine: &machine, events: events)
        if outcome == nil {
            try? await gracefulShutdown()
            outcome = try await execute(machine.stop(), on: socket, machine: &machine, events: events)
        }
        switch outcome {
        case .withdrawn(let refusals)?:
            events.emit(MICESinkEvent.wifiDirect(.withdrawn(refusals: refusals)))
        case .refused(let refusal, _)?:
            throw Self.failure(refusal, path: controlPath)
        case nil:
            break
        }
    }

    /// Carries out actions until the machine waits for shutdown (nil) or finishes.
    private func execute(
        _ actions: [WiFiDirectPublication.Action], on socket: WPAControlSocket,
        machine: inout WiFiDirectPublication, events: EventLog
    ) async throws -> WiFiDirectPublication.Outcome? {
        var pending = actions
        while !pending.isEmpty {
            let action = pending.removeFirst()
            switch action {
            case .send(let command, let timeout):
                let text = command.text
                let answer = try await NIOThreadPool.singleton.runIfActive { socket.request(text, timeout: timeout) }
                switch answer {
                case .reply(let reply): pending += machine.replyReceived(reply)
                case .timedOut, .failed: pending += machine.replyTimedOut()
                }
            case .published:
                events.emit(MICESinkEvent.wifiDirect(.published(controlPath: controlPath, elements: elements, wfdSubelement: wfdDeviceInformation?.subelementBody)))
                return nil
            case .finished(let outcome):
                return outcome
            }
        }
        return nil
    }

    /// One sentence for a refused start command: which command, what came back, what to check.
    static func failure(_ refusal: WiFiDirectPublication.Refusal, path: String) -> RoleFailure {
        let command = refusal.command.name
        switch (refusal.command, refusal.reply) {
        case (.ping, nil):
            return .usage("--wpa-ctrl: wpa_supplicant did not answer PING on '\(path)'; check that it is running and that this is its control socket")
        case (.ping, let reply?):
            return .usage("--wpa-ctrl: '\(path)' answered PING with '\(reply)', not PONG; check that it is wpa_supplicant's control socket")
        case (_, nil):
            return .peer("--wpa-ctrl: wpa_supplicant did not answer \(command) on '\(path)'; check that it is still running (journalctl -u wpa_supplicant)")
        case (.get, _), (.set, _), (.wfdSubelementGet, _), (.wfdSubelementSet, _):
            return .peer("--wpa-ctrl: wpa_supplicant refused \(command) (\(refusal.reply.map { "'\($0)'" } ?? "no reply")); it needs Wi-Fi Display support (built with CONFIG_WIFI_DISPLAY=y, as Debian's wpasupplicant is) and P2P enabled on '\(path)'")
        case (_, .unknownCommand?):
            return .peer("--wpa-ctrl: wpa_supplicant does not know \(command) (UNKNOWN COMMAND); it needs version 2.4 or later built with Wi-Fi Direct (CONFIG_P2P)")
        case (.p2pListen, let reply?):
            return .peer("--wpa-ctrl: wpa_supplicant refused P2P_LISTEN ('\(reply)'); check that the Wi-Fi interface is up and enabled and supports P2P (iw list: 'P2P-device')")
        case (_, let reply?):
            return .peer("--wpa-ctrl: wpa_supplicant refused \(command) ('\(reply)'); check that '\(path)' is the P2P device's socket (p2p-dev-IFACE) and that P2P is enabled (p2p_disabled=0)")
        }
    }
}

extension MICEWiFiDirectPublisher {
    /// `--wpa-ctrl PATH` for a sink with `configuration`: checks that PATH is a socket (exit 2
    /// before the sink listens) and builds the attribute as `winterop mice ie build` does:
    /// the sink's Capability, this machine's host name, and the listen address when it is one
    /// address other than loopback (2.2.8).
    public init(validating path: String, configuration: MICESinkConfiguration, clientDirectory: String = "/tmp") throws(RoleFailure) {
        do {
            try WPAControlSocket.checkPath(path)
        } catch {
            throw .usage("--wpa-ctrl: \(error.description)")
        }
        let host = configuration.listen.host
        let specific = host != "0.0.0.0" && host != "::" && !host.hasPrefix("127.") && host != "::1" && IPAddressText.bytes(host) != nil
        let attribute = VendorExtensionAttribute(
            capability: configuration.capability, hostName: localHostName(),
            ipAddresses: specific ? [host] : [])
        try self.init(controlPath: path, attribute: attribute, clientDirectory: clientDirectory)
    }

    /// Said once at start without `--wpa-ctrl`.
    static func notPublishedNotice(advertising: Bool) -> String {
        "mice sink: Wi-Fi Direct discovery is off (no --wpa-ctrl), so Windows' \"Connect to a wireless display\" does not list this sink; it is reachable \(advertising ? "by mDNS and " : "")by address only"
    }
}
