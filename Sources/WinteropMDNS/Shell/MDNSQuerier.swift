import NIOCore
import NIOPosix
import WinteropWire

/// A service instance found by browsing (RFC 6763 4–6).
public struct MDNSResolvedService: Sendable, Hashable {
    /// The instance label, e.g. "Living Room TV".
    public var instanceName: String
    /// e.g. "_display._tcp".
    public var serviceType: String
    public var domain: String
    /// The SRV target, e.g. "sink.local".
    public var hostName: String
    public var port: UInt16
    /// The target's addresses (port 0; use ``port``), IPv4 first.
    public var addresses: [SocketAddress]
    /// TXT strings, e.g. ["container_id={…}"].
    public var txt: [String]

    public init(instanceName: String, serviceType: String, domain: String, hostName: String, port: UInt16, addresses: [SocketAddress], txt: [String]) {
        self.instanceName = instanceName
        self.serviceType = serviceType
        self.domain = domain
        self.hostName = hostName
        self.port = port
        self.addresses = addresses
        self.txt = txt
    }

    /// The value of a TXT key (`key=value`, RFC 6763 6.3: keys compare case-insensitively).
    public func txtValue(_ key: String) -> String? {
        for string in txt {
            let parts = string.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if let first = parts.first, first.lowercased() == key.lowercased() {
                return parts.count > 1 ? String(parts[1]) : ""
            }
        }
        return nil
    }
}

/// One-shot Multicast DNS queries (RFC 6762 5.1): sent from an ephemeral port to
/// 224.0.0.251:5353, so responders answer by unicast to that port (6.7).
public enum MDNSQuerier {
    /// Resolves "name.local" to addresses by multicast query (A and AAAA), waiting at most
    /// `timeout`. Returns the addresses (port 0) of the first answer, or an empty array
    /// when nothing answered in time (MS-MICE 3.2.5.1: the Discovery timer expired).
    ///
    /// A name of one label ("sink", as MS-MICE's Host Name attribute carries it, 2.2.8.2:
    /// "not fully qualified") is looked up as "sink.local".
    public static func resolveHost(_ hostName: String, timeout: TimeAmount, eventLoopGroup: any EventLoopGroup) async throws -> [SocketAddress] {
        var name: DNSName
        do {
            name = try DNSName(parsing: hostName)
            if name.labels.count == 1 { name = try name.appending(DNSName(["local"])) }
        } catch {
            throw MDNSError.invalidName(hostName, error)
        }
        let questions = [DNSQuestion(name: name, type: .a), DNSQuestion(name: name, type: .aaaa)]
        var found: [DNSRecordData] = []
        try await MDNSQuerySession.run(timeout: timeout, eventLoopGroup: eventLoopGroup, initialQuestions: questions) { message in
            for record in message.answers + message.additionals
            where record.name == name && record.ttl > 0 && (record.type == .a || record.type == .aaaa) && !found.contains(record.data) {
                found.append(record.data)
            }
            return found.isEmpty ? .continue : .finish
        }
        return orderedAddresses(found)
    }

    /// Browses a service type ("_display._tcp"): instances with host, port, addresses and
    /// TXT, collected for `timeout`. Instances whose SRV record did not arrive are left out.
    public static func browse(serviceType: String, domain: String = "local", timeout: TimeAmount, eventLoopGroup: any EventLoopGroup) async throws -> [MDNSResolvedService] {
        let serviceName: DNSName
        do {
            serviceName = try DNSName(parsing: serviceType).appending(DNSName(parsing: domain))
        } catch {
            throw MDNSError.invalidName(serviceType, error)
        }
        var browser = MDNSBrowser(serviceName: serviceName)
        try await MDNSQuerySession.run(
            timeout: timeout, eventLoopGroup: eventLoopGroup,
            initialQuestions: [DNSQuestion(name: serviceName, type: .ptr)],
            knownAnswers: { browser.knownAnswers }
        ) { message in
            browser.received(message)
            return .followUp(browser.takeFollowUpQuestions())
        }
        return browser.services(serviceType: serviceType, domain: domain)
    }

    static func orderedAddresses(_ data: [DNSRecordData]) -> [SocketAddress] {
        let v4 = data.filter { if case .a = $0 { true } else { false } }
        let v6 = data.filter { if case .aaaa = $0 { true } else { false } }
        return (v4 + v6).compactMap { $0.socketAddress() }
    }
}

/// What browsing has learnt so far (RFC 6763 4–6, 12), sans-IO.
struct MDNSBrowser: Sendable {
    let serviceName: DNSName
    var instances: [DNSName] = []
    var removed: Set<DNSName> = []
    var srv: [DNSName: (port: UInt16, target: DNSName)] = [:]
    var txt: [DNSName: [String]] = [:]
    var addresses: [DNSName: [DNSRecordData]] = [:]
    var asked: Set<DNSQuestion> = []
    var ptrRecords: [DNSResourceRecord] = []

    init(serviceName: DNSName) { self.serviceName = serviceName }

    /// The PTR records already known (RFC 6762 7.1: sent with repeated queries).
    var knownAnswers: [DNSResourceRecord] { ptrRecords }

    mutating func received(_ message: DNSMessage) {
        guard message.header.isResponse else { return }
        for record in message.answers + message.additionals {
            switch record.data {
            case .ptr(let instance) where record.name == serviceName:
                if record.ttl == 0 {
                    // RFC 6762 10.1: goodbye.
                    removed.insert(instance)
                    instances.removeAll { $0 == instance }
                    ptrRecords.removeAll { $0.isSameRecord(as: record) }
                } else if !instances.contains(instance) {
                    removed.remove(instance)
                    instances.append(instance)
                    ptrRecords.append(record)
                }
            case .srv(_, _, let port, let target) where record.ttl > 0:
                srv[record.name] = (port, target)
            case .txt(let strings) where record.ttl > 0:
                txt[record.name] = strings.filter { !$0.isEmpty }.map { String(decoding: $0, as: UTF8.self) }
            case .a, .aaaa:
                if record.ttl > 0, !(addresses[record.name] ?? []).contains(record.data) {
                    addresses[record.name, default: []].append(record.data)
                }
            default:
                break
            }
        }
    }

    /// Questions for what is still missing: SRV and TXT of instances, addresses of targets (RFC 6763 12).
    mutating func takeFollowUpQuestions() -> [DNSQuestion] {
        var questions: [DNSQuestion] = []
        for instance in instances {
            if srv[instance] == nil { questions.append(DNSQuestion(name: instance, type: .srv)) }
            if txt[instance] == nil { questions.append(DNSQuestion(name: instance, type: .txt)) }
            if let target = srv[instance]?.target, addresses[target] == nil {
                questions.append(DNSQuestion(name: target, type: .a))
                questions.append(DNSQuestion(name: target, type: .aaaa))
            }
        }
        questions = questions.filter { asked.insert($0).inserted }
        return questions
    }

    func services(serviceType: String, domain: String) -> [MDNSResolvedService] {
        instances.compactMap { instance in
            guard let location = srv[instance] else { return nil }
            return MDNSResolvedService(
                instanceName: instance.firstLabelText, serviceType: serviceType, domain: domain,
                hostName: location.target.description, port: location.port,
                addresses: MDNSQuerier.orderedAddresses(addresses[location.target] ?? []),
                txt: txt[instance] ?? []
            )
        }
    }
}

/// Sends queries from ephemeral ports (one socket per multicast interface), repeats them
/// every second (RFC 6762 5.2) and hands each decoded response to `handle` until the
/// timeout or until `handle` says it is done.
enum MDNSQuerySession {
    enum Next: Sendable {
        case `continue`
        case finish
        case followUp([DNSQuestion])
    }

    static func run(
        timeout: TimeAmount, eventLoopGroup: any EventLoopGroup, initialQuestions: [DNSQuestion],
        knownAnswers: () -> [DNSResourceRecord] = { [] },
        handle: (DNSMessage) -> Next
    ) async throws {
        let devices = try MDNSNetwork.multicastIPv4Interfaces()
        guard !devices.isEmpty else { throw MDNSError.noMulticastInterface }
        let group = try MDNSNetwork.ipv4GroupAddress()
        let (stream, continuation) = AsyncStream.makeStream(of: SessionEvent.self)
        var channels: [any Channel] = []
        defer { for channel in channels { channel.close(promise: nil) } }
        for device in devices {
            let channel = try await DatagramBootstrap(group: eventLoopGroup)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(MDNSResponseCollector(continuation: continuation))
                    }
                }
                .bind(to: SocketAddress(ipAddress: "0.0.0.0", port: 0))
                .get()
            channels.append(channel)
            if case .v4(let v4) = device.address, devices.count > 1, let provider = channel as? any SocketOptionProvider {
                try? await provider.setIPMulticastIF(v4.address.sin_addr).get()
            }
            try? await channel.setOption(.ipOption(.ip_multicast_loop), value: 1).get()
        }
        func send(_ questions: [DNSQuestion], known: [DNSResourceRecord]) {
            guard !questions.isEmpty else { return }
            // RFC 6762 7.1: known answers let responders skip what we already hold.
            let query = DNSMessage(header: DNSHeader(isResponse: false), questions: questions, answers: known)
            guard let bytes = try? query.encode() else { return }
            for channel in channels {
                channel.writeAndFlush(AddressedEnvelope(remoteAddress: group, data: bytes), promise: nil)
            }
        }
        send(initialQuestions, known: [])
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .nanoseconds(timeout.nanoseconds))
        let ticker = Task {
            // RFC 6762 5.2: repeat after one second, then at doubling intervals.
            var interval = Duration.seconds(1)
            while !Task.isCancelled {
                let wake = min(clock.now.advanced(by: interval), deadline)
                try? await Task.sleep(until: wake, clock: clock)
                if Task.isCancelled || clock.now >= deadline { break }
                continuation.yield(.repeatQuery)
                interval *= 2
            }
            continuation.finish()
        }
        defer { ticker.cancel() }
        for await event in stream {
            switch event {
            case .repeatQuery:
                send(initialQuestions, known: knownAnswers())
            case .response(let message):
                switch handle(message) {
                case .continue:
                    continue
                case .finish:
                    return
                case .followUp(let questions):
                    send(questions, known: [])
                }
            }
        }
    }

    enum SessionEvent: Sendable {
        case response(DNSMessage)
        case repeatQuery
    }
}

/// Decodes datagrams into responses for a query session; malformed ones are dropped.
final class MDNSResponseCollector: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let continuation: AsyncStream<MDNSQuerySession.SessionEvent>.Continuation

    init(continuation: AsyncStream<MDNSQuerySession.SessionEvent>.Continuation) { self.continuation = continuation }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let message = try? DNSMessage.decode(envelope.data), message.header.isResponse,
              message.header.opcode == 0, message.header.responseCode == 0 else { return }
        continuation.yield(.response(message))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {}
}
