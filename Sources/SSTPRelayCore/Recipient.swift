import SSTPCore

extension SSTPRelay {
    /// One recipient resource handler of this relay (1.3.5.2.1): the addressing entry of a
    /// stored message sequence, always with a concrete DeviceURL (identity-targeted
    /// deposits are expanded to every device registered for the identity).
    public struct Recipient: Sendable, Hashable, CustomStringConvertible {
        public var resourceURL: String
        public var identityURL: String
        public var deviceURL: String

        public init(resourceURL: String, identityURL: String, deviceURL: String) {
            self.resourceURL = resourceURL
            self.identityURL = identityURL
            self.deviceURL = deviceURL
        }

        /// The addressing entry of the relay's delivery session to this recipient (1.3.5.2.1).
        public var addressingEntry: SSTP.AddressingEntry {
            SSTP.AddressingEntry(resourceURL: resourceURL, identityURL: identityURL, deviceURL: deviceURL)
        }

        public var description: String { addressingEntry.description }
    }
}
