import SSTPCore

extension SSTPRelay {
    /// What a Register command's Security message is (3.3.5.17): an identity registration
    /// (MS-GRVSSTPS SecIdentityRegister) or any other security message.
    public enum RegisterKind: Sendable, Hashable {
        case identityRegister(identityURL: String)
        case other
    }

    /// The security layer's answers. Tokens (MS-GRVSSTPS) are opaque to SSTP: they are
    /// handed to this policy untouched.
    public protocol Authenticator: Sendable {
        /// Whether a Connect's SourceDeviceURL may attach (the device table, 1.3.5.2.1).
        func acceptsDevice(_ deviceURL: String) -> Bool
        /// The AttachResponse ResponseId for an Attach or AttachAuthenticate token (3.3.5.14, 3.3.5.16).
        func attachResponse(accountURL: String?, token: [UInt8]) -> SSTP.AttachResponse.ResponseId
        /// What a Register token carries (3.3.5.17).
        func registerKind(token: [UInt8]) -> RegisterKind
    }

    /// The open policy: every device may attach, every Attach is Ok, and a Register token
    /// is a SecIdentityRegister when it is a non-empty UTF-8 IdentityURL (the form
    /// `winterop sstp receive --identity` sends), any other security message otherwise.
    public struct OpenPolicy: Authenticator {
        public init() {}

        public func acceptsDevice(_ deviceURL: String) -> Bool { true }

        public func attachResponse(accountURL: String?, token: [UInt8]) -> SSTP.AttachResponse.ResponseId { .ok }

        public func registerKind(token: [UInt8]) -> RegisterKind {
            guard !token.isEmpty, let url = String(validating: token, as: UTF8.self), !url.contains("\0") else { return .other }
            return .identityRegister(identityURL: url)
        }

        /// The token `sstp receive` sends to register `identityURL` for its device.
        public static func identityRegisterToken(_ identityURL: String) -> [UInt8] { Array(identityURL.utf8) }
    }
}
