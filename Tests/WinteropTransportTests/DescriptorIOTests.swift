import Foundation
import NIOConcurrencyHelpers
import Testing
import WinteropTransport

/// A signal that arrives while a thread is blocked in `read(2)` or `write(2)` makes the call
/// fail with `EINTR` (the handler is installed without `SA_RESTART`). Foundation's
/// `availableData` ends the process on that; ours retries.
@Suite(.serialized) struct DescriptorIOTests {
    /// Installs a do-nothing SIGUSR2 handler without SA_RESTART, so blocked calls fail with EINTR.
    static func installInterruptingHandler() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGUSR2, &action, nil)
    }

    final class Reader: @unchecked Sendable {
        let thread = NIOLockedValueBox<pthread_t?>(nil)
        let result = NIOLockedValueBox<Data?>(nil)
    }

    @Test func readToEndSurvivesInterruptedReads() async throws {
        Self.installInterruptingHandler()
        let pipe = Pipe()
        let reader = Reader()
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread {
            // Threads started from the test's own (dispatch) threads inherit a mask that
            // blocks signals; let this one take SIGUSR2.
            var mask = sigset_t()
            sigemptyset(&mask)
            sigaddset(&mask, SIGUSR2)
            pthread_sigmask(SIG_UNBLOCK, &mask, nil)
            reader.thread.withLockedValue { $0 = pthread_self() }
            let data = handle.readBytesToEnd()
            reader.result.withLockedValue { $0 = data }
        }
        while reader.thread.withLockedValue({ $0 }) == nil { try await Task.sleep(for: .milliseconds(5)) }
        guard let thread = reader.thread.withLockedValue({ $0 }) else { return }
        // The reader is (or is about to be) blocked in read(2): interrupt it several times.
        for _ in 0..<5 {
            try await Task.sleep(for: .milliseconds(20))
            pthread_kill(thread, SIGUSR2)
        }
        try pipe.fileHandleForWriting.writeAllBytes(Data("first ".utf8))
        pthread_kill(thread, SIGUSR2)
        try pipe.fileHandleForWriting.writeAllBytes(Data("second".utf8))
        try pipe.fileHandleForWriting.close()
        let deadline = ContinuousClock.now + .seconds(10)
        while reader.result.withLockedValue({ $0 }) == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(reader.result.withLockedValue { $0 }.map { String(decoding: $0, as: UTF8.self) } == "first second")
    }

    @Test func writeToAClosedReaderThrowsInsteadOfEndingTheProcess() throws {
        signal(SIGPIPE, SIG_IGN)
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        #expect(throws: POSIXError.self) { try pipe.fileHandleForWriting.writeAllBytes(Data("lost".utf8)) }
        // Text output to a reader that has gone is dropped, not fatal.
        pipe.fileHandleForWriting.writeText("also lost\n")
    }

    @Test func availableBytesIsEmptyAtEndOfFile() throws {
        let pipe = Pipe()
        try pipe.fileHandleForWriting.writeAllBytes(Data([1, 2, 3]))
        try pipe.fileHandleForWriting.close()
        #expect(pipe.fileHandleForReading.availableBytes == Data([1, 2, 3]))
        #expect(pipe.fileHandleForReading.availableBytes.isEmpty)
    }
}
