import WinteropTransport
import WinteropWire
import WinteropFormat

/// The responder's events as `winterop mdns announce` reports them.
extension MDNSResponderEvent: RoleEvent {
    public var name: String {
        switch self {
        case .probing: "probing"
        case .announced: "announced"
        case .renamed: "renamed"
        case .answered: "answered"
        case .goodbye: "goodbye"
        }
    }

    public var fields: [(String, JSONValue)] {
        switch self {
        case .probing(let name), .announced(let name), .goodbye(let name):
            [("name", .string(name))]
        case .renamed(let from, let to):
            [("from", .string(from)), ("to", .string(to))]
        case .answered(let question, let to):
            [("question", .string(question)), ("to", .string(to))]
        }
    }

    public var text: String {
        switch self {
        case .probing(let name): "probing \(name)"
        case .announced(let name): "announced \(name)"
        case .renamed(let from, let to): "renamed \(from) to \(to) after a conflict"
        case .answered(let question, let to): "answered \(question) to \(to)"
        case .goodbye(let name): "goodbye \(name)"
        }
    }
}

/// What `winterop mdns resolve` and `winterop mdns browse` report.
public enum MDNSQueryEvent: RoleEvent {
    /// A host name's addresses; `source` says whether DNS or mDNS answered (when both ran).
    case resolved(host: String, addresses: [String], source: HostNameResolution.Source?)
    /// One resolved instance of a browsed service type (RFC 6763 4).
    case service(MDNSResolvedService)
    /// Browsing finished with `count` instances.
    case browsed(type: String, count: Int)

    public var name: String {
        switch self {
        case .resolved: "resolved"
        case .service: "service"
        case .browsed: "browsed"
        }
    }

    public var fields: [(String, JSONValue)] {
        switch self {
        case .resolved(let host, let addresses, let source):
            [("host", .string(host)), ("addresses", .array(addresses.map { .string($0) }))]
                + (source.map { [("source", .string($0.rawValue))] } ?? [])
        case .service(let service):
            [
                ("instance", .string(service.instanceName)), ("type", .string(service.serviceType)),
                ("domain", .string(service.domain)), ("host", .string(service.hostName)),
                ("port", .int(Int64(service.port))),
                ("addresses", .array(service.addresses.compactMap(\.ipAddress).map { .string($0) })),
                ("txt", .array(service.txt.map { .string($0) })),
            ]
        case .browsed(let type, let count):
            [("type", .string(type)), ("count", .int(Int64(count)))]
        }
    }

    public var text: String {
        switch self {
        case .resolved(let host, let addresses, let source):
            "\(host) " + addresses.joined(separator: " ") + (source.map { " (\($0.rawValue))" } ?? "")
        case .service(let service):
            "\(service.instanceName) \(service.serviceType).\(service.domain) \(service.hostName):\(service.port) [\(service.addresses.compactMap(\.ipAddress).joined(separator: " "))] \(service.txt.joined(separator: " "))"
        case .browsed(let type, let count):
            "\(count) instance\(count == 1 ? "" : "s") of \(type)"
        }
    }
}
