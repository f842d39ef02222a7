/// What a content provider tells the server about one content (3.1.5.2, 3.1.5.3).
public struct ContentInfo: Sendable, Hashable {
    /// ContentSize, in bytes.
    public var size: UInt64
    /// Content Metadata: opaque bytes for the client, or nil when the content has none.
    public var metadata: [UInt8]?

    public init(size: UInt64, metadata: [UInt8]? = nil) {
        self.size = size
        self.metadata = metadata
    }
}

/// A content provider (3.1.1.1): the module that exposes content for the namespaces that
/// name it. The server core asks it questions and never touches storage itself; the
/// directory provider of `WDSMSIRoles` is one.
public protocol ContentProvider: Sendable {
    /// 3.1.3: prepares the content a namespace's ConfigurationString describes; throws a
    /// message saying what is wrong when it cannot (the server then refuses to start).
    func initialize(configurationString: String) throws(ContentProviderError)

    /// 3.1.5.2 / 3.1.5.3: whether the client may have `content` of the namespace configured
    /// by `configurationString`, and if so its size and metadata; otherwise the Win32 error
    /// that says why not (ERROR_FILE_NOT_FOUND, ERROR_ACCESS_DENIED, ERROR_INVALID_NAME, …).
    func content(named content: String, configurationString: String) -> Result<ContentInfo, Win32Error>
}

/// Why a content provider could not initialize for a namespace.
public struct ContentProviderError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
