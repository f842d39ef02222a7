import NIOCore

/// The server's live multicast sessions: one per namespace and content (for each address
/// family and pair of security modes, since a session has exactly one of each), reused by
/// later requests while it lives. Session ids are never reused in the table's lifetime;
/// each live session has its own multicast address, and ports rotate through the range.
public struct MulticastSessionTable: Sendable {
    /// What identifies a session: the same key gets the same session.
    public struct Key: Sendable, Hashable {
        public var namespace: String
        public var content: String
        public var ipv6: Bool
        public var securityModes: SecurityModes
    }

    public private(set) var sessions: [Key: MulticastSession] = [:]
    private var nextSessionId: UInt32
    private var nextAddressIndex: [Bool: UInt64] = [false: 1, true: 1]
    private var nextPortOffset: Int = 0
    private var usedIds: Set<UInt32> = []
    private var usedAddresses: Set<IPAddress> = []

    /// `firstSessionId` seeds the ids (the shell passes a random one so ids differ across runs).
    public init(firstSessionId: UInt32) {
        nextSessionId = firstSessionId
    }

    /// What a look-up did.
    public enum Outcome: Sendable, Hashable {
        case created(MulticastSession)
        case reused(MulticastSession)

        public var session: MulticastSession {
            switch self {
            case .created(let s), .reused(let s): return s
            }
        }
    }

    /// Drops the sessions whose lifetime is over; returns them.
    public mutating func removeExpired(now: NIODeadline) -> [MulticastSession] {
        let expired = sessions.filter { $0.value.expires <= now }
        for (key, session) in expired {
            sessions[key] = nil
            usedAddresses.remove(session.multicastAddress)
        }
        return expired.values.sorted { $0.id < $1.id }
    }

    /// The earliest expiry among live sessions: when the shell should fire the session timer.
    public var nextExpiry: NIODeadline? {
        sessions.values.map(\.expires).min()
    }

    /// The session for `key`, made if none lives; its lifetime restarts either way.
    mutating func session(
        for key: Key, content info: ContentInfo, serverAddress: IPAddress,
        configuration: MulticastConfiguration, now: NIODeadline
    ) -> Result<Outcome, Win32Error> {
        let expires = now + TimeAmount(configuration.sessionLifetime)
        if var existing = sessions[key] {
            existing.expires = expires
            sessions[key] = existing
            return .success(.reused(existing))
        }
        guard sessions.count < configuration.maximumSessions else {
            return .failure(.noSystemResources)
        }
        let range = key.ipv6 ? configuration.ipv6Range : configuration.ipv4Range
        guard let range, let address = allocateAddress(in: range, ipv6: key.ipv6) else {
            return .failure(.noSystemResources)
        }
        let ports = configuration.ports
        let portCount = Int(ports.upperBound) - Int(ports.lowerBound) + 1
        let port = UInt16(Int(ports.lowerBound) + nextPortOffset % portCount)
        nextPortOffset = (nextPortOffset + 1) % portCount
        let session = MulticastSession(
            id: allocateId(), namespace: key.namespace, content: key.content,
            multicastAddress: address, port: port, serverAddress: serverAddress,
            contentSize: info.size, blockSize: configuration.blockSize,
            totalBlocks: MulticastSession.totalBlocks(contentSize: info.size, blockSize: configuration.blockSize),
            contentMetadata: info.metadata, securityModes: key.securityModes, expires: expires
        )
        sessions[key] = session
        usedAddresses.insert(address)
        return .success(.created(session))
    }

    private mutating func allocateId() -> UInt32 {
        while usedIds.contains(nextSessionId) {
            nextSessionId &+= 1
        }
        let id = nextSessionId
        usedIds.insert(id)
        nextSessionId &+= 1
        return id
    }

    /// The next address of the range no live session has, starting after the last one given.
    private mutating func allocateAddress(in range: AddressRange, ipv6: Bool) -> IPAddress? {
        let count = range.count
        var index = nextAddressIndex[ipv6, default: 1]
        // At most as many tries as live sessions + 1: every used address is skipped once.
        for _ in 0...min(UInt64(usedAddresses.count) + 1, count) {
            if index >= count { index = count > 1 ? 1 : 0 }
            if let address = range.address(at: index), !usedAddresses.contains(address) {
                nextAddressIndex[ipv6] = index &+ 1
                return address
            }
            index &+= 1
        }
        return nil
    }
}
