import Foundation
import NIOCore
import Testing
import WinteropTransport

/// ``GatheredWrite``: every byte of many buffers reaches the descriptor in order, across
/// the 1024-buffer limit of one writev(2) and through short writes (a pipe whose reader
/// takes a little at a time), and a failure comes back as its errno.
@Suite struct GatheredWriteTests {
    @Test func manyBuffersThroughShortWritesArriveInOrder() throws {
        var fds: [Int32] = [0, 0]
        // Close-on-exec: a child another test spawns meanwhile must not inherit the write
        // end, or the reader would wait for that child's exit to see end of file.
        try #require(pipe(&fds) == 0)
        for fd in fds { _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC) }
        let (reader, writer) = (fds[0], fds[1])
        defer { close(reader) }
        // 3,000 buffers of varying sizes (about 3.6 MiB), more than a pipe holds, so writev
        // returns short counts that end inside a buffer.
        let buffers = (0..<3000).map { index in
            ByteBuffer(bytes: (0..<(1 + index % 2400)).map { UInt8(truncatingIfNeeded: $0 &+ index) })
        }
        let expected = buffers.reduce(into: [UInt8]()) { $0 += $1.readableBytesView }
        let received = ReceivedBytes()
        let thread = Thread {
            var chunk = [UInt8](repeating: 0, count: 777)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                received.append(chunk[..<n])
            }
            received.finish()
        }
        thread.start()
        let code = GatheredWrite.writeAll(buffers, to: writer)
        close(writer)
        #expect(code == 0)
        #expect(received.waitForEnd(timeout: 30) == expected)
    }

    @Test func aFailureIsItsErrno() {
        let code = GatheredWrite.writeAll([ByteBuffer(bytes: [1, 2, 3])], to: -1)
        #expect(code == EBADF)
    }
}

private final class ReceivedBytes: @unchecked Sendable {
    private let condition = NSCondition()
    private var bytes: [UInt8] = []
    private var ended = false
    func append(_ more: ArraySlice<UInt8>) { condition.lock(); bytes += more; condition.unlock() }
    func finish() { condition.lock(); ended = true; condition.broadcast(); condition.unlock() }
    func waitForEnd(timeout: TimeInterval) -> [UInt8]? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while !ended { if !condition.wait(until: deadline) { return nil } }
        return bytes
    }
}
