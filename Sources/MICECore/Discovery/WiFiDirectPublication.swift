/// Publishing a sink over Wi-Fi Direct through wpa_supplicant (3.1.3: "the Sink MUST begin
/// being discoverable … every Beacon and Probe Response the Sink sends MUST include a Vendor
/// Extension attribute"), sans-IO: the shell sends each ``Action/send(_:replyTimeout:)``
/// command, feeds back its reply (``replyReceived(_:)``) or its silence
/// (``replyTimedOut()``), and calls ``stop()`` at shutdown.
///
/// The sequence: `PING` (a live wpa_supplicant at that socket); with a Wi-Fi Display Device
/// Information subelement, `GET wifi_display` and `WFD_SUBELEM_GET 0` (what to restore),
/// `SET wifi_display 1` and `WFD_SUBELEM_SET 0 <hex>` (a Miracast sink in the WFD element);
/// one `VENDOR_ELEM_ADD` per frame kind (P2P probe responses, group-owner probe responses
/// and beacons), `P2P_LISTEN`. On a refusal or at stop, every command that succeeded is
/// undone in reverse order (`P2P_STOP_FIND`, `VENDOR_ELEM_REMOVE` with the same bytes,
/// `WFD_SUBELEM_SET 0` and `SET wifi_display` with the values read), whatever those answer.
public struct WiFiDirectPublication: Sendable {
    /// Why publishing ended.
    public enum Outcome: Hashable, Sendable {
        /// Stopped after publishing; `refusals` are undo commands wpa_supplicant refused.
        case withdrawn(refusals: [Refusal])
        /// A start command was refused; what had been added was then undone (`cleanupRefusals`).
        case refused(Refusal, cleanupRefusals: [Refusal])
    }

    /// A command that did not get its expected reply: `reply` is what came, nil for none in time.
    public struct Refusal: Hashable, Sendable, CustomStringConvertible {
        public var command: WPAControlCommand
        public var reply: WPAControlReply?

        public init(command: WPAControlCommand, reply: WPAControlReply?) {
            self.command = command
            self.reply = reply
        }

        public var description: String {
            "\(command.name) got \(reply.map { "'\($0)'" } ?? "no reply")"
        }
    }

    public enum Action: Hashable, Sendable {
        /// Send this command and wait up to `replyTimeout` for its reply.
        case send(WPAControlCommand, replyTimeout: Duration)
        /// Every start command succeeded: the sink is discoverable.
        case published
        /// Nothing more to send.
        case finished(Outcome)
    }

    public enum State: Hashable, Sendable {
        case idle
        /// Start commands: `pending` awaits its reply, `remaining` follow, `undo` (latest first)
        /// reverts what succeeded; `stopRequested` when ``stop()`` came meanwhile.
        case starting(pending: WPAControlCommand, remaining: [WPAControlCommand], undo: [WPAControlCommand], stopRequested: Bool)
        case published(undo: [WPAControlCommand])
        /// Undo commands: `pending` awaits its reply; `cause` is the start refusal, if any.
        case withdrawing(pending: WPAControlCommand, remaining: [WPAControlCommand], refusals: [Refusal], cause: Refusal?)
        case finished(Outcome)
    }

    public private(set) var state: State = .idle
    /// The WSC elements carrying the Vendor Extension attribute (``WSCVendorElement``).
    public let elements: [UInt8]
    /// The Wi-Fi Display Device Information subelement; nil leaves Wi-Fi Display alone.
    public let wfdDeviceInformation: WFDDeviceInformation?
    public let replyTimeout: Duration

    public init(elements: [UInt8], wfdDeviceInformation: WFDDeviceInformation? = nil, replyTimeout: Duration = .seconds(5)) {
        self.elements = elements
        self.wfdDeviceInformation = wfdDeviceInformation
        self.replyTimeout = replyTimeout
    }

    /// The start commands in order.
    var startCommands: [WPAControlCommand] {
        let id = WFDDeviceInformation.subelementID
        let wfd: [WPAControlCommand] = wfdDeviceInformation.map {
            [.get("wifi_display"), .wfdSubelementGet(id), .set("wifi_display", "1"), .wfdSubelementSet(id, $0.subelementBody)]
        } ?? []
        return [.ping] + wfd + WPAControlCommand.VendorElementFrame.allCases.map { .vendorElementAdd($0, elements) } + [.p2pListen]
    }

    /// Initialization (3.1.3): check the control interface, then publish.
    public mutating func start() -> [Action] {
        guard case .idle = state else { return [] }
        var commands = startCommands
        let first = commands.removeFirst()
        state = .starting(pending: first, remaining: commands, undo: [], stopRequested: false)
        return [.send(first, replyTimeout: replyTimeout)]
    }

    /// The reply datagram to the pending command (event messages already skipped).
    public mutating func replyReceived(_ text: String) -> [Action] {
        answered(WPAControlReply(text))
    }

    /// No reply came within the timeout.
    public mutating func replyTimedOut() -> [Action] {
        answered(nil)
    }

    /// Shutdown: withdraw what was published (every undo command, latest first).
    public mutating func stop() -> [Action] {
        switch state {
        case .idle:
            state = .finished(.withdrawn(refusals: []))
            return [.finished(.withdrawn(refusals: []))]
        case .starting(let pending, let remaining, let undo, _):
            state = .starting(pending: pending, remaining: remaining, undo: undo, stopRequested: true)
            return []
        case .published(let undo):
            return withdraw(undo, refusals: [], cause: nil)
        case .withdrawing, .finished:
            return []
        }
    }

    private mutating func answered(_ reply: WPAControlReply?) -> [Action] {
        switch state {
        case .starting(let pending, var remaining, var undo, let stopRequested):
            guard pending.accepts(reply) else {
                return withdraw(undo, refusals: [], cause: Refusal(command: pending, reply: reply))
            }
            if let revert = pending.undo(after: reply) { undo.insert(revert, at: 0) }
            if stopRequested { return withdraw(undo, refusals: [], cause: nil) }
            guard !remaining.isEmpty else {
                state = .published(undo: undo)
                return [.published]
            }
            let next = remaining.removeFirst()
            state = .starting(pending: next, remaining: remaining, undo: undo, stopRequested: false)
            return [.send(next, replyTimeout: replyTimeout)]
        case .withdrawing(let pending, let remaining, var refusals, let cause):
            if !pending.accepts(reply) { refusals.append(Refusal(command: pending, reply: reply)) }
            return withdraw(remaining, refusals: refusals, cause: cause)
        case .idle, .published, .finished:
            // Nothing is pending: a late reply to a command already timed out.
            return []
        }
    }

    /// Sends the next undo command, or finishes.
    private mutating func withdraw(_ commands: [WPAControlCommand], refusals: [Refusal], cause: Refusal?) -> [Action] {
        var commands = commands
        guard !commands.isEmpty else {
            let outcome: Outcome = cause.map { .refused($0, cleanupRefusals: refusals) } ?? .withdrawn(refusals: refusals)
            state = .finished(outcome)
            return [.finished(outcome)]
        }
        let next = commands.removeFirst()
        state = .withdrawing(pending: next, remaining: commands, refusals: refusals, cause: cause)
        return [.send(next, replyTimeout: replyTimeout)]
    }
}
