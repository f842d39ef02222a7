import NIOCore
import SSTPCore
import WinteropWire

/// Fuzz entry points for MS-GRVSSTP.
enum SSTPFuzz {
    /// The first byte picks the version; the rest is a command stream. Every command the
    /// decoder accepts must re-encode to exactly the bytes it came from, and the stream
    /// drives an established connection state machine, which must never trap.
    @Sendable static func commandStream(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let version: SSTP.Version = selector & 1 == 0 ? .v1_5 : .v1_6
        var buffer = ByteBuffer(bytes: bytes.dropFirst())
        var machine = SSTP.ConnectionStateMachine(
            configuration: SSTP.ConnectionConfiguration(version: version, localDeviceURLs: ["dpp://fuzz"]),
            initiatedConnection: selector & 2 == 0
        )
        if selector & 2 == 0 {
            // Get the machine established so session commands reach their rules.
            _ = try? machine.connect(targetDeviceURL: "dpp://peer")
            _ = machine.commandReceived(.connectResponse(SSTP.ConnectResponse(
                minorVersion: version.minor, responseId: .ok, peerProductVersion: "fuzz", targetDeviceURLs: ["dpp://peer"]
            )))
        }
        while true {
            let before = buffer
            let command: SSTP.Command?
            do {
                command = try SSTP.CommandStream.decodeCommand(from: &buffer, version: machine.version)
            } catch {
                _ = machine.malformedCommandReceived(error)
                return
            }
            guard let command else { return }
            let consumed = buffer.readerIndex - before.readerIndex
            var again = ByteBuffer()
            do {
                try command.encode(into: &again, version: machine.version)
            } catch {
                preconditionFailure("an accepted \(command.commandId) did not re-encode: \(error)")
            }
            precondition(again.readableBytes == consumed, "re-encoded \(command.commandId) has another length")
            precondition(again.readableBytesView.elementsEqual(before.readableBytesView.prefix(consumed)), "re-encoded \(command.commandId) differs")
            let actions = machine.commandReceived(command)
            for case .openReceived(let id, _) in actions {
                _ = try? machine.resourceHandlerAvailabilityChanged(sessionId: id, selector & 4 == 0 ? .ready : .notReady)
            }
            for case .messageReceived(let entry) in actions {
                _ = try? machine.resourceHandlerCompleted(sequence: entry.sequence)
            }
        }
    }
}

extension SSTPFuzz {
    /// The first byte sets the read size (1–256 bytes, as TCP might split); the rest is a
    /// byte stream. ``SSTP/CommandFramer`` over those reads must cut exactly the frames
    /// ``SSTP/CommandStream/nextFrame(from:)`` cuts from the whole stream, refuse it
    /// where that does, and never hold more than one command.
    @Sendable static func commandFramer(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let readSize = Int(selector) + 1
        let stream = ByteBuffer(bytes: bytes.dropFirst())
        var whole = stream
        var expected: [ByteBuffer] = []
        var wholeFails = false
        do {
            while let frame = try SSTP.CommandStream.nextFrame(from: &whole) { expected.append(frame) }
        } catch {
            wholeFails = true
        }
        var framer = SSTP.CommandFramer()
        var frames: [ByteBuffer] = []
        var reads = stream
        var framerFails = false
        while reads.readableBytes > 0, !framerFails, let read = reads.readSlice(length: min(readSize, reads.readableBytes)) {
            do {
                try framer.process(read) { frames.append($0) }
            } catch {
                framerFails = true
            }
            precondition(framer.pendingBytes <= SSTP.CommandId.largestLength, "the framer holds more than one command")
        }
        precondition(framerFails == wholeFails, "the framer and the whole-stream cut disagree on refusing the stream")
        precondition(frames == expected, "the framer cut other frames than the whole stream gives")
    }
}
