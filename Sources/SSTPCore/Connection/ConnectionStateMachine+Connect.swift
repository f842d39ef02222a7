extension SSTP.ConnectionStateMachine {
    typealias SSTPVersion = SSTP.Version

    /// Result of work on the established state: actions, or the peer's violation.
    enum Outcome {
        case actions([SSTP.ConnectionAction])
        case violation(SSTP.Violation)

        /// A violation that ends the connection with ConnectClose `reason`.
        static func violation(_ reason: SSTP.ConnectClose.Reason, _ text: String) -> Outcome {
            .violation(.connection(reason, text))
        }
    }

    /// Runs `body` on the established state in place, then applies a violation's reaction.
    /// `notEstablished` is the reaction when the connection is not 'established'.
    mutating func onEstablished(
        notEstablished: (SSTP.ConnectClose.Reason, String),
        _ body: (inout Established) -> Outcome
    ) -> [SSTP.ConnectionAction] {
        guard var e = takeEstablished() else {
            return closeConnection(notEstablished.0, violation: notEstablished.1)
        }
        let outcome = body(&e)
        state = .established(e)
        switch outcome {
        case .actions(let actions): return actions
        case .violation(let violation): return react(to: violation)
        }
    }

    /// The spec's reaction to a violation: ConnectClose for the connection (3.1.4.2), or
    /// Close for the one session (3.1.4.4), what it was receiving discarded.
    mutating func react(to violation: SSTP.Violation) -> [SSTP.ConnectionAction] {
        switch violation {
        case .connection(let reason, let text):
            return closeConnection(reason, violation: text)
        case .session(let id, let reason, let text):
            guard var e = takeEstablished() else { return [] }
            defer { state = .established(e) }
            var actions: [SSTP.ConnectionAction] = [.send(.close(SSTP.Close(sessionId: id, reason: reason)))]
            if let s = e.inbound.removeValue(forKey: id) {
                e.closedInbound.insert(id)
                if s.receiver != .waiting { actions.append(.messageAborted(sessionId: id)) }
                actions.append(.sessionViolation(sessionId: id, reason, detail: text))
                actions.append(.sessionClosed(sessionId: id, .inbound, reason, byPeer: false))
            } else if let s = e.outbound.removeValue(forKey: id) {
                if s.state == .opening { actions.append(.cancelTimer(.sessionEstablishment(id))) }
                actions.append(.sessionViolation(sessionId: id, reason, detail: text))
                actions.append(.sessionClosed(sessionId: id, .outbound, reason, byPeer: false))
            }
            return actions
        }
    }

    // MARK: Establishing (3.1.4.1)

    /// Sends Connect on a new transport connection (3.1.4.1): TargetDeviceURL is the
    /// device expected at the other end, SourceDeviceURLs are ours. State → 'connecting'.
    public mutating func connect(targetDeviceURL: String, authenticationToken: [UInt8] = []) throws(SSTP.UsageError) -> [SSTP.ConnectionAction] {
        guard case .transportLayerConnected = state, initiatedConnection else {
            throw SSTP.UsageError("Connect is sent once, by the device that initiated the transport connection")
        }
        state = .connecting
        let connect = SSTP.Connect(
            minorVersion: configuration.version.minor, targetDeviceURL: targetDeviceURL,
            sourceDeviceURLs: configuration.localDeviceURLs, authenticationToken: authenticationToken,
            peerProductVersion: configuration.peerProductVersion, peerProductCapabilities: configuration.peerProductCapabilities
        )
        var actions: [SSTP.ConnectionAction] = [.send(.connect(connect))]
        if configuration.timers.connectionEstablishment != nil { actions.append(.startTimer(.connectionEstablishment)) }
        return actions
    }

    // MARK: Receiving Connect (3.1.5.1)

    /// The ResponseId 3.1.5.1 requires for `connect`, checked in the order the spec lists
    /// the conditions; RetryTime where TryLater or WillUpgrade need one.
    public func connectResponseId(for connect: SSTP.Connect, admission: SSTP.ConnectAdmission) -> (SSTP.ConnectResponse.ResponseId, retryTime: UInt32?, crossedConnections: Bool) {
        if !configuration.localDeviceURLs.contains(connect.targetDeviceURL) {
            return (.wrongDevice, nil, false)
        }
        if connect.majorVersion > SSTPVersion.major {
            return configuration.willUpgrade ? (.willUpgrade, configuration.upgradeRetryTime, false) : (.wontUpgrade, nil, false)
        }
        if connect.majorVersion < SSTPVersion.major || SSTPVersion(minor: connect.minorVersion) == nil {
            return (.newVersionRequired, nil, false)
        }
        if admission.lockedOut {
            return (.connectRejected, nil, false)
        }
        if let limit = configuration.numberOfConcurrentDeviceConnections, admission.existingConnectionsFromSource + 1 > limit {
            return (.ok, nil, true)
        }
        if let retry = admission.tryLaterRetryTime {
            return (.tryLater, retry, false)
        }
        if admission.authenticationFailed {
            return (.authenticationFailed, nil, false)
        }
        return (.ok, nil, false)
    }

    /// The ConnectClose reason sent after a non-Ok ConnectResponse ("a higher-layer determined ReasonId").
    static func closeReason(after response: SSTP.ConnectResponse.ResponseId) -> SSTP.ConnectClose.Reason {
        switch response {
        case .ok, .wrongDevice: return .noReason
        case .tryLater: return .resting
        case .willUpgrade, .wontUpgrade: return .upgrade
        case .newVersionRequired: return .newVersionRequired
        case .authenticationFailed: return .deviceAuthenticationFailed
        case .connectRejected: return .rejected
        }
    }

    mutating func connectReceived(_ connect: SSTP.Connect, admission: SSTP.ConnectAdmission) -> [SSTP.ConnectionAction] {
        // 3.1.5.1: only in 'transport layer connected'; otherwise 'aborting' and ConnectClose.
        guard case .transportLayerConnected = state, !initiatedConnection else {
            return closeConnection(.protocolError, violation: "Connect received in a state other than 'transport layer connected'")
        }
        state = .connecting
        let (responseId, retryTime, crossed) = connectResponseId(for: connect, admission: admission)
        let response = SSTP.ConnectResponse(
            minorVersion: configuration.version.minor, responseId: responseId,
            singleHopFanout: responseId == .newVersionRequired ? false : configuration.singleHopSupported,
            multidropFanout: responseId == .newVersionRequired ? false : configuration.multidropSupported,
            peerProductVersion: configuration.peerProductVersion, peerProductCapabilities: configuration.peerProductCapabilities,
            targetDeviceURLs: responseId == .ok ? configuration.localDeviceURLs : [], retryTime: retryTime
        )
        var actions: [SSTP.ConnectionAction] = [.send(.connectResponse(response))]
        guard responseId == .ok else {
            // Not Ok: 'aborting', and a ConnectClose as the next command.
            state = .aborting
            let reason = Self.closeReason(after: responseId)
            actions.append(.sendConnectCloseAndTerminate(SSTP.ConnectClose(reason: reason, messageCount: 0, returnTime: reason == .resting ? retryTime ?? 0 : nil)))
            actions.append(.connectionEnded(.closedLocally(reason, violation: "answered Connect with \(responseId)"), unacknowledged: []))
            return actions
        }
        // Version: the lesser of the received minor version and ours.
        let version = min(SSTPVersion(minor: connect.minorVersion) ?? configuration.version, configuration.version)
        establish(version: version)
        if crossed {
            // NumberOfConcurrentDeviceConnections exceeded: Ok, then ConnectClose CrossedConnections.
            state = .aborting
            actions.append(.sendConnectCloseAndTerminate(SSTP.ConnectClose(reason: .crossedConnections)))
            actions.append(.connectionEnded(.closedLocally(.crossedConnections, violation: nil), unacknowledged: []))
            return actions
        }
        actions.append(.connectionEstablished(version: version, peerDeviceURLs: connect.sourceDeviceURLs))
        return actions
    }

    // MARK: Receiving ConnectResponse (3.1.5.2)

    mutating func connectResponseReceived(_ response: SSTP.ConnectResponse) -> [SSTP.ConnectionAction] {
        guard case .connecting = state, initiatedConnection else {
            return closeConnection(.protocolError, violation: "ConnectResponse received in a state other than 'connecting'")
        }
        var actions: [SSTP.ConnectionAction] = []
        if configuration.timers.connectionEstablishment != nil { actions.append(.cancelTimer(.connectionEstablishment)) }
        guard response.responseId == .ok else {
            // TryLater's RetryTime reaches the higher layer inside the response.
            state = .aborting
            actions.append(.terminateTransport)
            actions.append(.connectionEnded(.refused(response), unacknowledged: []))
            return actions
        }
        guard response.majorVersion == SSTPVersion.major, let theirs = SSTPVersion(minor: response.minorVersion) else {
            establish(version: configuration.version)
            return actions + closeConnection(.protocolError, violation: "ConnectResponse Ok from incompatible version \(response.majorVersion).\(response.minorVersion)")
        }
        let version = min(theirs, configuration.version)
        establish(version: version)
        actions.append(.connectionEstablished(version: version, peerDeviceURLs: response.targetDeviceURLs))
        return actions
    }
}
