import NIOCore

/// Which host addresses belong to which interface, so that what goes out on one
/// interface names only that interface's addresses (RFC 6762 14: a responder "MUST
/// include only addresses that are valid on that interface").
public struct MDNSInterfaceAddresses: Sendable, Hashable {
    /// Address bytes (4 or 16) by interface index.
    public var byInterface: [Int: Set<[UInt8]>]

    public init(byInterface: [Int: Set<[UInt8]>]) {
        self.byInterface = byInterface
    }

    /// From the system's devices (one entry per address).
    public init(devices: [NIONetworkDevice]) {
        var map: [Int: Set<[UInt8]>] = [:]
        for device in devices {
            guard let address = device.address, let data = DNSRecordData.address(address) else { continue }
            switch data {
            case .a(let bytes), .aaaa(let bytes): map[device.interfaceIndex, default: []].insert(bytes)
            default: break
            }
        }
        self.byInterface = map
    }

    /// `message` with the A and AAAA records of addresses on *other* interfaces removed.
    /// Addresses on no known interface (given by the user) stay; when nothing of an
    /// address kind would remain, the message is left as it was.
    ///
    /// Queries are left whole: a probe's authority section is what simultaneous probers
    /// compare (RFC 6762 8.2), and our own probe, looped back, must compare equal to the
    /// full set we propose.
    public func restrict(_ message: DNSMessage, toInterface index: Int?) -> DNSMessage {
        guard message.header.isResponse, let index, let mine = byInterface[index] else { return message }
        let elsewhere = byInterface.filter { $0.key != index }.values.reduce(into: Set<[UInt8]>()) { $0.formUnion($1) }.subtracting(mine)
        guard !elsewhere.isEmpty else { return message }
        func keep(_ record: DNSResourceRecord) -> Bool {
            switch record.data {
            case .a(let bytes), .aaaa(let bytes): return !elsewhere.contains(bytes)
            default: return true
            }
        }
        func isAddress(_ record: DNSResourceRecord) -> Bool { record.type == .a || record.type == .aaaa }
        var restricted = message
        restricted.answers = message.answers.filter(keep)
        restricted.authorities = message.authorities.filter(keep)
        restricted.additionals = message.additionals.filter(keep)
        let before = (message.answers + message.authorities + message.additionals).filter(isAddress)
        let after = (restricted.answers + restricted.authorities + restricted.additionals).filter(isAddress)
        if !before.isEmpty && after.isEmpty { return message }
        // Nothing left to answer (the question was for an address elsewhere): send nothing new.
        if !message.answers.isEmpty && restricted.answers.isEmpty { return message }
        return restricted
    }
}
