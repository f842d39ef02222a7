import NIOCore
import NIOHTTP1
import WinteropTransport

/// `--metrics HOST:PORT`: an HTTP listener that answers `GET /metrics` with the relay's
/// metrics (``RelayMetrics``), 404 for any other path and 405 for any other method.
struct MetricsListener: ListenerRole {
    let hub: RelayHub

    func initialize(_ channel: any Channel) throws {
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
        try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(hub: hub))
    }
}

/// Answers each request on one HTTP connection.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let hub: RelayHub
    private var request: HTTPRequestHead?

    init(hub: RelayHub) { self.hub = hub }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): request = head
        case .body: break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let (status, body, type): (HTTPResponseStatus, String, String)
        if head.method != .GET && head.method != .HEAD {
            (status, body, type) = (.methodNotAllowed, "only GET /metrics\n", "text/plain; charset=utf-8")
        } else if path != "/metrics" {
            (status, body, type) = (.notFound, "the metrics are at /metrics\n", "text/plain; charset=utf-8")
        } else {
            (status, body, type) = (.ok, hub.metricsText(), "text/plain; version=0.0.4; charset=utf-8")
        }
        var headers = HTTPHeaders([("Content-Type", type), ("Content-Length", "\(body.utf8.count)")])
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
