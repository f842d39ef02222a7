import NIOCore
import SSTPCore
import SSTPRoles

/// An application that keeps each session's message whole in memory between Message and
/// EndMessage: the relay's connections (the store takes the message whole) and
/// `sstp receive`. A message the peer aborts (Data with the Abort flag) is dropped.
protocol WholeMessageAssembly: SSTPApplication {
    /// The payload received so far of each session's message in progress.
    var receiving: [UInt32: ByteBuffer] { get set }
}

extension WholeMessageAssembly {
    func messageStarted(_ handler: SSTPConnectionHandler, sessionId: UInt32, message: SSTP.Message) {
        receiving[sessionId] = ByteBuffer()
    }

    func messageData(_ handler: SSTPConnectionHandler, sessionId: UInt32, payload: ByteBuffer) {
        var payload = payload
        receiving[sessionId, default: ByteBuffer()].writeBuffer(&payload)
    }

    func messageAborted(_ handler: SSTPConnectionHandler, sessionId: UInt32) {
        receiving[sessionId] = nil
    }
}
