import CWinteropTLSPSK
import Foundation
import NIOCore
import WinteropTransport
import WinteropWire

/// Why the TLS-PSK layer ended the connection.
struct TLSPSKError: Error, CustomStringConvertible {
    var description: String
}

/// TLS 1.2 with a pre-shared key between the socket and the MS-TCC handlers: the channel
/// is then authenticated and encrypted as 5.1 requires, over TCP. Plaintext written
/// before the handshake completes waits for it.
final class TLSPSKHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let engine: OpaquePointer
    private var established = false
    private var pending: [ByteBuffer] = []
    private var failed = false

    init(server: Bool, key: TLSPSKKey) throws {
        var err = [CChar](repeating: 0, count: 256)
        let made = key.bytes.withUnsafeBufferPointer { bytes -> OpaquePointer? in
            guard let base = bytes.baseAddress else { return nil }
            return wo_tls_psk_new(server ? 1 : 0, base, bytes.count, TLSPSKKey.identity, &err, err.count)
        }
        guard let engine = made else {
            throw TLSPSKError(description: Self.text(err))
        }
        self.engine = engine
    }

    deinit { wo_tls_psk_free(engine) }

    /// The NUL-terminated message the shim wrote.
    static func text(_ err: [CChar]) -> String {
        String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func channelActive(context: ChannelHandlerContext) {
        advance(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        let buffer = unwrapInboundIn(data)
        _ = buffer.readableBytesView.withUnsafeBytes { raw -> CInt in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress else { return 0 }
            return wo_tls_psk_feed(engine, base, raw.count)
        }
        advance(context: context)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let plaintext = unwrapOutboundIn(data)
        guard established else {
            pending.append(plaintext)
            promise?.succeed()
            return
        }
        encrypt(plaintext, context: context)
        promise?.succeed()
    }

    func flush(context: ChannelHandlerContext) {
        flushOutput(context: context)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if established, !failed {
            wo_tls_psk_close(engine)
            flushOutput(context: context)
        }
        context.close(mode: mode, promise: promise)
    }

    /// Drives the handshake, then decrypts what is there.
    private func advance(context: ChannelHandlerContext) {
        var err = [CChar](repeating: 0, count: 256)
        if !established {
            switch wo_tls_psk_handshake(engine, &err, err.count) {
            case 1:
                established = true
                flushOutput(context: context)
                for plaintext in pending { encrypt(plaintext, context: context) }
                pending = []
            case 0:
                flushOutput(context: context)
                return
            default:
                fail(Self.text(err), context: context)
                return
            }
        }
        var out = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = out.withUnsafeMutableBufferPointer { bytes -> CInt in
                guard let base = bytes.baseAddress else { return 0 }
                return wo_tls_psk_read(engine, base, bytes.count, &err, err.count)
            }
            if count > 0 {
                context.fireChannelRead(wrapInboundOut(context.channel.allocator.buffer(bytes: out.prefix(Int(count)))))
            } else if count == 0 {
                break
            } else if count == -2 {
                context.close(promise: nil)
                return
            } else {
                fail(Self.text(err), context: context)
                return
            }
        }
        context.fireChannelReadComplete()
        flushOutput(context: context)
    }

    private func encrypt(_ plaintext: ByteBuffer, context: ChannelHandlerContext) {
        var err = [CChar](repeating: 0, count: 256)
        let result = plaintext.readableBytesView.withUnsafeBytes { raw -> CInt in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress else { return 0 }
            return wo_tls_psk_write(engine, base, raw.count, &err, err.count)
        }
        if result != 0 { fail(Self.text(err), context: context) }
        flushOutput(context: context)
    }

    private func flushOutput(context: ChannelHandlerContext) {
        var wrote = false
        while wo_tls_psk_pending_output(engine) > 0 {
            var chunk = [UInt8](repeating: 0, count: 16_640)
            let count = chunk.withUnsafeMutableBufferPointer { bytes -> Int in
                guard let base = bytes.baseAddress else { return 0 }
                return wo_tls_psk_take_output(engine, base, bytes.count)
            }
            guard count > 0 else { break }
            context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: chunk.prefix(count))), promise: nil)
            wrote = true
        }
        if wrote { context.flush() }
    }

    private func fail(_ message: String, context: ChannelHandlerContext) {
        guard !failed else { return }
        failed = true
        flushOutput(context: context)
        context.fireErrorCaught(TLSPSKError(description: message))
        context.close(promise: nil)
    }
}
