import Foundation

/// Reading and writing pipes and files with `read(2)` and `write(2)`, retrying when a
/// signal interrupts the call.
///
/// Foundation's `FileHandle.availableData`, `readDataToEndOfFile()` and `write(_:)` stop
/// the whole process (an internal `try!`) when the call fails, with `EINTR` whenever a
/// signal arrives while the thread is blocked, or with `EPIPE` when the reader has gone:
/// a test runner, or a role whose output is piped into `head`, cannot use them. These
/// retry `EINTR` and report any other failure as end of data or a thrown error.
extension FileHandle {
    /// One `read(2)` of at most `maximum` bytes; empty at end of file. Throws the
    /// `errno` of a failure other than `EINTR`.
    public func readSomeBytes(maximum: Int = 65536) throws -> Data {
        var buffer = Data(count: maximum)
        let descriptor = fileDescriptor
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, maximum) }
            if count >= 0 {
                buffer.count = count
                return buffer
            }
            if errno != EINTR { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
    }

    /// What a `readabilityHandler` can read now; empty at end of file or on a read error
    /// (either way the handler is done).
    public var availableBytes: Data {
        (try? readSomeBytes()) ?? Data()
    }

    /// Everything up to end of file (or up to a read error other than `EINTR`).
    public func readBytesToEnd() -> Data {
        var all = Data()
        while let chunk = try? readSomeBytes(), !chunk.isEmpty { all += chunk }
        return all
    }
}

extension FileHandle {
    /// Writes all of `data`, retrying `EINTR` and short writes. Throws the `errno` of any
    /// other failure (`EPIPE` when the reader has closed its end).
    public func writeAllBytes(_ data: Data) throws {
        let descriptor = fileDescriptor
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, base + offset, bytes.count - offset)
                if written >= 0 {
                    offset += written
                } else if errno != EINTR {
                    throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                }
            }
        }
    }

    /// Writes `text` for a person or a script to read (standard output or error); a
    /// reader that has gone is not a reason to stop the process.
    public func writeText(_ text: String) {
        try? writeAllBytes(Data(text.utf8))
    }
}

extension FileHandle {
    /// Reads on a thread of its own until end of file, handing each chunk to `onData` and
    /// then calling `onEnd` once; the handle stays open (and alive) until then.
    ///
    /// This replaces `readabilityHandler`, whose dispatch source can outlive the
    /// descriptor it watches when the handle is released: libdispatch then dereferences a
    /// freed registration and the process crashes (seen under parallel test runs).
    public func readInBackground(
        onData: @escaping @Sendable (Data) -> Void, onEnd: @escaping @Sendable () -> Void = {}
    ) {
        let handle = UncheckedHandle(self)
        let thread = Thread {
            while let chunk = try? handle.value.readSomeBytes(), !chunk.isEmpty { onData(chunk) }
            onEnd()
        }
        thread.name = "winterop-pipe-reader"
        thread.start()
    }
}

/// A `FileHandle` handed to the one thread that reads it.
private struct UncheckedHandle: @unchecked Sendable {
    let value: FileHandle
    init(_ value: FileHandle) { self.value = value }
}
