import NIOCore
import WinteropWire
import WinteropFormat

extension SSTP.Command: JSONDescribable {
    /// The command's fields in the order 2.2 lists them, for `winterop decode sstp`.
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [("command", .string(commandId.description))]
        func add(_ key: String, _ value: JSONValue) { fields.append((key, value)) }
        func urls(_ list: [String]) -> JSONValue { .array(list.map { .string($0) }) }
        switch self {
        case .connect(let c):
            add("majorVersion", .integer(c.majorVersion))
            add("minorVersion", .integer(c.minorVersion))
            add("targetDeviceURL", .string(c.targetDeviceURL))
            add("sourceDeviceURLs", urls(c.sourceDeviceURLs))
            add("authenticationToken", .hex(c.authenticationToken))
            add("peerProductVersion", .string(c.peerProductVersion))
            add("peerProductCapabilities", .string(c.peerProductCapabilities))
        case .connectResponse(let c):
            add("majorVersion", .integer(c.majorVersion))
            add("minorVersion", .integer(c.minorVersion))
            add("responseId", .string(c.responseId.description))
            add("authenticationToken", .hex(c.authenticationToken))
            if c.responseId != .newVersionRequired {
                add("singleHopFanout", .bool(c.singleHopFanout))
                add("multidropFanout", .bool(c.multidropFanout))
            }
            add("peerProductVersion", .string(c.peerProductVersion))
            add("peerProductCapabilities", .string(c.peerProductCapabilities))
            if c.responseId == .ok { add("targetDeviceURLs", urls(c.targetDeviceURLs)) }
            if let retry = c.retryTime { add("retryTime", .integer(retry)) }
        case .connectAuthenticate(let c):
            add("authenticationToken", .hex(c.authenticationToken))
        case .connectClose(let c):
            add("reason", .string(c.reason.description))
            add("messageCount", .integer(c.messageCount))
            if let time = c.returnTime { add("returnTime", .integer(time)) }
        case .open(let c):
            add("sessionId", .integer(c.sessionId))
            add("resourceURL", .string(c.addressingEntry.resourceURL))
            add("identityURL", .string(c.addressingEntry.identityURL))
            add("deviceURL", .string(c.addressingEntry.deviceURL))
            add("identityTargetedBit", .bool(c.identityTargetedBit))
        case .fanoutOpen(let c):
            add("sessionId", .integer(c.sessionId))
            add("resourceURL", .string(c.resourceURL))
            add("identityTargetedBit", .bool(c.identityTargetedBit))
            add("entries", .array(c.entries.map { entry in
                .object([("identityURL", .string(entry.identityURL)), ("deviceURL", .string(entry.deviceURL)), ("relayURL", .string(entry.relayURL))])
            }))
        case .openResponse(let c):
            add("sessionId", .integer(c.sessionId))
            add("responseId", .string(c.responseId.description))
        case .sessionStatus(let c):
            add("sessionId", .integer(c.sessionId))
            add("statusId", .string(c.statusId.description))
            add("deviceURL", .string(c.deviceURL))
            add("identityURL", .string(c.identityURL))
            if let indexes = c.fanoutDeviceIndexes { add("fanoutDeviceIndexes", .array(indexes.map { .integer($0) })) }
        case .close(let c):
            add("sessionId", .integer(c.sessionId))
            add("reason", .string(c.reason.description))
        case .message(let c):
            add("sessionId", .integer(c.sessionId))
            add("messageCount", .integer(c.messageCount))
            add("track", .bool(c.track))
            add("acknowledgeImmediately", .bool(c.acknowledgeImmediately))
            add("doNotDeliverIfOffline", .bool(c.doNotDeliverIfOffline))
            add("userRef", .string(c.userRef))
            if let e = c.ephemeral {
                add("ephemeral", .object([("ttl", .integer(e.ttl)), ("reservedFields", .bool(e.hasReservedFields))]))
            }
            if let s = c.streamSize {
                add("streamSize", .object([
                    ("byteStreamSize", .integer(s.byteStreamSize)), ("sessionSize", .integer(s.sessionSize)),
                    ("messageSize", .integer(s.messageSize)),
                ]))
            }
            if let f = c.fragmentation {
                add("fragmentation", .object([
                    ("numFragments", .integer(f.numFragments)), ("thisFragment", .integer(f.thisFragment)),
                    ("fragmentId", .string(f.fragmentId)), ("fragmentOffset", .integer(f.fragmentOffset)),
                ]))
            }
        case .data(let c):
            add("sessionId", .integer(c.sessionId))
            add("length", .integer(c.payload.readableBytes))
            add("data", .hex(c.payload.readableBytesView))
        case .endMessage(let c):
            add("sessionId", .integer(c.sessionId))
        case .noop(let c):
            add("messageCount", .integer(c.messageCount))
        case .attach(let c):
            add("eventId", .integer(c.eventId))
            add("resourceURL", .string(c.resourceURL))
            add("accountURL", .string(c.accountURL))
            add("authenticationToken", .hex(c.authenticationToken))
        case .attachResponse(let c):
            add("eventId", .integer(c.eventId))
            add("responseId", .string(c.responseId.description))
            add("authenticationToken", .hex(c.authenticationToken))
        case .attachAuthenticate(let c):
            add("eventId", .integer(c.eventId))
            add("authenticationToken", .hex(c.authenticationToken))
        case .register(let c):
            add("eventId", .integer(c.eventId))
            add("registrationToken", .hex(c.registrationToken))
        case .registerResponse(let c):
            add("eventId", .integer(c.eventId))
            add("registrationToken", .hex(c.registrationToken))
        }
        return .object(fields)
    }
}
