import Foundation
import WinteropTransport

/// Where the sink puts the received transport stream: the player's standard input, a
/// `--record` file, or both.
public protocol TransportStreamOutput: AnyObject {
    func write(_ bytes: [UInt8])
    func close()
}

/// `--record FILE`: the transport stream as received, reordered, TS packets only.
public final class TransportStreamRecorder: TransportStreamOutput {
    private let handle: FileHandle
    public let path: String

    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw PlayerError.cannotRecord(path)
        }
        self.path = path
        self.handle = handle
    }

    /// The first write failure (a full disk): the recording stops there, the session goes on.
    public private(set) var writeError: (any Error)?

    public func write(_ bytes: [UInt8]) {
        guard writeError == nil else { return }
        do { try handle.writeAllBytes(Data(bytes)) } catch { writeError = error }
    }

    public func close() {
        try? handle.close()
    }
}

/// Several outputs at once.
public final class TransportStreamTee: TransportStreamOutput {
    private let outputs: [any TransportStreamOutput]
    public init(_ outputs: [any TransportStreamOutput]) { self.outputs = outputs }
    public func write(_ bytes: [UInt8]) { for o in outputs { o.write(bytes) } }
    public func close() { for o in outputs { o.close() } }
}

public enum PlayerError: Error, CustomStringConvertible {
    case cannotRecord(String)
    case cannotStart(String, String)

    public var description: String {
        switch self {
        case .cannotRecord(let path): return "cannot write the recording \(path): check the directory exists and is writable"
        case .cannotStart(let command, let why): return "cannot start the player \"\(command)\": \(why)"
        }
    }
}
