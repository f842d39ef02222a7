import NIOCore
import SSTPCore

extension SSTPRelay {
    /// Relay-wide facts the core works from (3.3.1, 3.3.2).
    public struct CoreConfiguration: Sendable {
        /// IdentityURL → DeviceURLs registered by configuration (`--identity IDENTITYURL=DEVICEURL`).
        public var identities: [String: Set<String>]
        /// SourceDeviceURLs under a security lockout: their Connect is answered ConnectRejected.
        public var lockedOutDevices: Set<String>
        /// Offline Device Delivery Data TTL (3.3.2.1): 5 minutes by default.
        public var offlineDeliveryTTL: TimeAmount
        public var authenticator: any Authenticator
        /// What one identity may have stored (no limit by default).
        public var quota: IdentityQuota
        /// The store is shared by several relay processes acting as one relay (PostgreSQL):
        /// this relay holds only the messages it claimed for devices attached to it
        /// (``RelayStateMachine/messagesClaimed(_:now:)``), and leaves every deposit to the
        /// store, where whichever relay the recipient is attached to claims it. The quota then
        /// counts what this relay holds (claimed, or being committed), not the database's total.
        public var sharedStore: Bool

        public init(
            identities: [String: Set<String>] = [:], lockedOutDevices: Set<String> = [],
            offlineDeliveryTTL: TimeAmount = .minutes(5), authenticator: any Authenticator = OpenPolicy(),
            quota: IdentityQuota = IdentityQuota(), sharedStore: Bool = false
        ) {
            self.identities = identities
            self.lockedOutDevices = lockedOutDevices
            self.offlineDeliveryTTL = offlineDeliveryTTL
            self.authenticator = authenticator
            self.quota = quota
            self.sharedStore = sharedStore
        }
    }
}
