import NIOCore

/// A multicast session the server set up (3.1.5.2: what "querying the multicast session"
/// yields for the reply).
public struct MulticastSession: Sendable, Hashable {
    /// SessionId: unique among the server's sessions.
    public var id: UInt32
    public var namespace: String
    public var content: String
    public var multicastAddress: IPAddress
    /// The session's UDP port (TpMcAddress.Port, and TpUniAddress.Port likewise).
    public var port: UInt16
    /// The server interface the session sends from (TpUniAddress.Address).
    public var serverAddress: IPAddress
    public var contentSize: UInt64
    public var blockSize: UInt32
    /// ceil(contentSize / blockSize).
    public var totalBlocks: UInt64
    public var contentMetadata: [UInt8]?
    public var securityModes: SecurityModes
    /// When the session ends unless another request asks for it.
    public var expires: NIODeadline

    /// TotalBlocks for a size: the last block may be short (2.2.1).
    public static func totalBlocks(contentSize: UInt64, blockSize: UInt32) -> UInt64 {
        guard blockSize > 0 else { return 0 }
        let size = UInt64(blockSize)
        return contentSize / size + (contentSize % size == 0 ? 0 : 1)
    }
}
