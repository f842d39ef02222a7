import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import WinteropMDNS
import WinteropTransport
import WinteropWire

/// `winterop mdns …`: Multicast DNS / DNS-SD (RFC 6762, RFC 6763), as MS-MICE uses it
/// (3.1.3: the sink advertises `<name>._display._tcp.local`; 3.2.5.1: the source resolves
/// the sink's host name).
struct MDNSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mdns",
        abstract: "Multicast DNS / DNS-SD: advertise a service, resolve a .local host name, browse a service type.",
        discussion: """
            Uses UDP port 5353 on 224.0.0.251, sharing the port with other responders (Avahi). \
            Needs an interface with the MULTICAST flag.
            """,
        subcommands: [MDNSAnnounceCommand.self, MDNSResolveCommand.self, MDNSBrowseCommand.self]
    )
}

struct MDNSAnnounceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "announce",
        abstract: "Advertise a service instance until SIGINT or SIGTERM, then send goodbyes.",
        discussion: """
            Probes for the names (RFC 6762 8.1), renames "NAME (2)" on a conflict, announces, \
            and answers queries, including legacy unicast ones such as `dig -p 5353 @224.0.0.251`.
            Example (what an MS-MICE sink advertises):
              winterop mdns announce --name "Living Room TV" --type _display._tcp --port 7250 \\
                --txt container_id={7A3C…}
            """
    )

    @OptionGroup var events: EventOptions

    @Option(name: .long, help: "The instance name, e.g. \"Living Room TV\" (one label, up to 63 bytes of UTF-8).")
    var name: String

    @Option(name: .long, help: "The service type, e.g. _display._tcp.")
    var type: String = "_display._tcp"

    @Option(name: .long, help: "The service's port.")
    var port: UInt16

    @Option(name: .long, help: "A TXT string key=value (repeatable).")
    var txt: [String] = []

    @Option(name: .long, help: "The host name to advertise (default: <hostname>.local).")
    var host: String?

    @OptionGroup var domainOption: MDNSDomainOption
    var domain: String { domainOption.domain }

    @Flag(name: .long, help: "Also answer over IPv6 (ff02::fb) and advertise the interfaces' IPv6 addresses (AAAA).")
    var ipv6 = false

    func validate() throws {
        guard !name.isEmpty, name.utf8.count <= 63 else {
            throw ValidationError("--name must be 1 to 63 bytes of UTF-8 (RFC 6763 4.1.1)")
        }
        for string in txt where string.utf8.count > 255 {
            throw ValidationError("--txt '\(string.prefix(20))…' is longer than 255 bytes (RFC 6763 6.1)")
        }
        guard type.hasPrefix("_"), type.hasSuffix("._tcp") || type.hasSuffix("._udp") else {
            throw ValidationError("--type must look like _name._tcp or _name._udp (RFC 6763 7)")
        }
    }

    func run() async throws {
        let eventLog = events.makeEventLog()
        var logger = Logger(label: "winterop.mdns")
        logger.logLevel = .warning
        let instance = MDNSServiceInstance(instanceName: name, serviceType: type, domain: domain, hostName: host, port: port, txt: txt)
        do {
            _ = try MDNSResponderService.recordSet(instances: [instance], addresses: [])
        } catch {
            throw RoleFailure.usage("mdns announce: \(error)")
        }
        // The contract's first line of every listener: once bound and joined (the responder's
        // first event comes right after), UDP 5353 on every address.
        let listening = ListeningOnce()
        var service = MDNSResponderService(
            instances: [instance], eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger,
            onEvent: { event in
                if listening.first() {
                    eventLog.listening(service: "mdns", address: try? SocketAddress(ipAddress: "0.0.0.0", port: MDNSNetwork.port))
                }
                eventLog.emit(event)
            }
        )
        service.ipv6 = ipv6
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        do {
            try await group.run()
        } catch let error as MDNSError {
            throw RoleFailure.usage("mdns announce: \(error)")
        } catch {
            throw RoleFailure.peer("mdns announce: \(Self.explain(error))")
        }
        eventLog.emit(ListenerEvent.stopped)
    }

    static func explain(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("Address already in use") || text.contains("EADDRINUSE") {
            return "\(text): another program holds UDP 5353 without SO_REUSEPORT"
        }
        if text.contains("Permission denied") || text.contains("EACCES") {
            return "\(text): binding UDP 5353 was refused"
        }
        return text
    }
}

struct MDNSResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Resolve a .local host name to its addresses by multicast query (A and AAAA).",
        discussion: "Exits 1 when nothing answers within the timeout."
    )

    @OptionGroup var events: EventOptions

    @Argument(help: "The host name, e.g. sink.local.")
    var host: String

    @Option(name: .long, help: "Seconds to wait for an answer (MS-MICE's Discovery timer; Windows uses 1.5).")
    var timeout: Double = 1.5

    @Flag(name: .long, help: "Resolve as an MS-MICE source does (3.2.5.1): DNS on the bare name and mDNS on NAME.local in parallel, first answer wins.")
    var withDNS = false

    @Flag(name: .long, help: "With --with-dns: prefer mDNS, waiting for it even when DNS answered first (Windows does so on a VPN).")
    var preferMDNS = false

    func validate() throws {
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
        if preferMDNS && !withDNS { throw ValidationError("--prefer-mdns needs --with-dns") }
    }

    func run() async throws {
        let eventLog = events.makeEventLog()
        if withDNS {
            let resolution = await MDNSQuerier.resolveHostWithDNS(
                host, timeout: .nanoseconds(Int64(timeout * 1e9)), preferMDNS: preferMDNS,
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            guard resolution.source != .none else {
                throw RoleFailure.peer("mdns resolve: neither DNS nor mDNS answered for \(host) within \(timeout) s")
            }
            let texts = resolution.addresses.compactMap(\.ipAddress)
            eventLog.emit(MDNSQueryEvent.resolved(host: host, addresses: texts, source: resolution.source))
            return
        }
        let addresses: [SocketAddress]
        do {
            addresses = try await MDNSQuerier.resolveHost(
                host, timeout: .nanoseconds(Int64(timeout * 1e9)), eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        } catch let error as MDNSError {
            throw RoleFailure.usage("mdns resolve: \(error)")
        } catch {
            throw RoleFailure.peer("mdns resolve: \(error)")
        }
        guard !addresses.isEmpty else {
            throw RoleFailure.peer("mdns resolve: no answer for \(host) within \(timeout) s (is the responder on this link, with multicast on?)")
        }
        let texts = addresses.compactMap(\.ipAddress)
        eventLog.emit(MDNSQueryEvent.resolved(host: host, addresses: texts, source: nil))
    }
}

struct MDNSBrowseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "browse",
        abstract: "Browse a service type (e.g. _display._tcp): instances with host, port, addresses and TXT.",
        discussion: "Collects answers for the whole timeout, then prints one line (or JSON object) per instance. Exits 0 even when none was found."
    )

    @OptionGroup var events: EventOptions

    @Argument(help: "The service type, e.g. _display._tcp.")
    var type: String

    @Option(name: .long, help: "Seconds to collect answers.")
    var timeout: Double = 2

    @OptionGroup var domainOption: MDNSDomainOption
    var domain: String { domainOption.domain }

    func validate() throws {
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
    }

    func run() async throws {
        let eventLog = events.makeEventLog()
        let services: [MDNSResolvedService]
        do {
            services = try await MDNSQuerier.browse(
                serviceType: type, domain: domain, timeout: .nanoseconds(Int64(timeout * 1e9)),
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        } catch let error as MDNSError {
            throw RoleFailure.usage("mdns browse: \(error)")
        } catch {
            throw RoleFailure.peer("mdns browse: \(error)")
        }
        for service in services {
            eventLog.emit(MDNSQueryEvent.service(service))
        }
        eventLog.emit(MDNSQueryEvent.browsed(type: type, count: services.count))
    }
}

/// True the first time only (the `listening` event precedes the responder's events).
final class ListeningOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    func first() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if done { return false }
        done = true
        return true
    }
}

extension DecodeKind {
    /// `winterop decode dns`: any DNS / Multicast DNS message.
    static let dnsMessage = DecodeKind(name: "dns", summary: "a DNS / Multicast DNS message (RFC 1035 4.1, RFC 6762 18)") { bytes, _ in
        try DNSMessage.decode(bytes).json
    }
}

/// `--domain`, as the commands that name a service take it.
struct MDNSDomainOption: ParsableArguments {
    @Option(name: .long, help: "The domain.")
    var domain: String = "local"
}
