import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SSTPCore
import SSTPRoles
import WinteropTransport
import SSTPRelayCore

/// Makes the relay-to-relay connections of single-hop fanout (3.3.5.6.1): the address of a
/// remote RelayURL comes from `--peer RELAYURL=HOST:PORT`, or else from the URL's own host
/// (and port, 2492 by default). A transport that cannot be made is DNSLookupFailed when
/// the name does not resolve and HostNotReachable otherwise (3.3.5.6.1).
final class PeerConnector: Sendable {
    let peers: [String: HostPort]
    let configuration: SSTP.ConnectionConfiguration
    let group: any EventLoopGroup
    /// The Transport Connection Timer for relay-to-relay connections (<11>: 3 minutes).
    let connectTimeout: TimeAmount
    private let channels = NIOLockedValueBox<[SSTPRelay.ConnectionID: any Channel]>([:])

    init(peers: [String: HostPort], configuration: SSTP.ConnectionConfiguration, group: any EventLoopGroup, connectTimeout: TimeAmount = .minutes(3)) {
        self.peers = peers
        self.configuration = configuration
        self.group = group
        self.connectTimeout = connectTimeout
    }

    /// The address of `relayURL`: configured, or the URL's authority.
    func address(of relayURL: String) -> HostPort? {
        if let configured = peers[relayURL] { return configured }
        guard let schemeEnd = relayURL.range(of: "://") else { return nil }
        let authority = relayURL[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty else { return nil }
        return try? HostPort(parsing: String(authority), defaultPort: SSTP.port)
    }

    /// Connects to `relayURL` for `hub` (called off the core's lock).
    func connect(_ relayURL: String, hub: RelayHub) {
        guard let address = address(of: relayURL) else {
            hub.events.emit(SSTPRelayEvent.peerFailed(relay: relayURL, status: SSTP.SessionStatus.StatusId.dnsLookupFailed.description, reason: "no --peer address and no host in the RelayURL"))
            hub.withCore { $0.peerFailed(relayURL: relayURL, status: .dnsLookupFailed) }
            return
        }
        let id = hub.connectionCounter.withLockedValue { $0 += 1; return $0 }
        let configuration = configuration
        SSTPConnectionHandler.connect(to: address, group: group, connectTimeout: connectTimeout) { channel in
            let handler = SSTPConnectionHandler(
                configuration: configuration, initiatedConnection: true, targetDeviceURL: relayURL,
                application: PeerConnectionApplication(id: id, relayURL: relayURL, hub: hub))
            hub.register(id, handler, on: channel.eventLoop)
            return handler
        }
            .whenComplete { [channels] result in
                switch result {
                case .success(let channel):
                    channels.withLockedValue { $0[id] = channel }
                    channel.closeFuture.whenComplete { _ in _ = channels.withLockedValue { $0.removeValue(forKey: id) } }
                case .failure(let error):
                    hub.unregister(id)
                    let status = Self.status(of: error)
                    hub.events.emit(SSTPRelayEvent.peerFailed(relay: relayURL, status: status.description, reason: "\(address): \(NetworkErrorText.plain(error))"))
                    hub.withCore { $0.peerFailed(relayURL: relayURL, status: status) }
                }
            }
    }

    /// DNSLookupFailed when the name resolved to nothing, HostNotReachable otherwise.
    static func status(of error: any Error) -> SSTP.SessionStatus.StatusId {
        if let error = error as? NIOConnectionError, error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
            return .dnsLookupFailed
        }
        return .hostNotReachable
    }

    /// Ends every relay-to-relay connection with ConnectClose (graceful shutdown).
    func closeAll() {
        for channel in channels.withLockedValue({ Array($0.values) }) {
            channel.eventLoop.execute {
                guard let handler = try? channel.pipeline.syncOperations.handler(type: SSTPConnectionHandler.self) else {
                    channel.close(promise: nil)
                    return
                }
                handler.close(reason: .noReason)
            }
        }
    }
}
