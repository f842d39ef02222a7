extension SSTPRelay {
    /// A device registered for an identity (3.3.5.17, SecIdentityRegister): identity-targeted
    /// deposits for the identity are stored for the device (1.3.5.2.1). Kept in the store,
    /// so a registration the relay answered survives a restart.
    public struct Registration: Sendable, Hashable {
        public var identityURL: String
        public var deviceURL: String

        public init(identityURL: String, deviceURL: String) {
            self.identityURL = identityURL
            self.deviceURL = deviceURL
        }
    }
}
