import SSTPRelayCore

/// The relay's metrics in the Prometheus text exposition format (version 0.0.4), served by
/// `--metrics HOST:PORT` at `/metrics`: connections and sessions, stored messages and bytes
/// by state, deposits, deliveries, acknowledgments and forwards, and the store's group
/// commits (their sizes and time).
enum RelayMetrics {
    /// Events counted since the relay started.
    struct Counters: Sendable, Hashable {
        var deposits = 0
        var depositBytes = 0
        var deliveries = 0
        var acknowledged = 0
        var forwarded = 0
        var discarded = 0
        var quotaRefusals = 0
        var fanoutFaults = 0
        var storeFailures = 0
    }

    static func render(gauges g: SSTPRelay.Gauges, counters c: Counters, commits: SSTPRelay.CommitStatistics) -> String {
        var text = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, Double)]) {
            text += "# HELP sstp_relay_\(name) \(help)\n# TYPE sstp_relay_\(name) \(type)\n"
            for (labels, value) in samples {
                let number = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
                text += "sstp_relay_\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(number)\n"
            }
        }
        func one(_ value: Int) -> [(String, Double)] { [("", Double(value))] }
        metric("connections", "gauge", "Client connections.", one(g.connections))
        metric("peer_connections", "gauge", "Relay-to-relay connections this relay made (single-hop fanout).", one(g.peerConnections))
        metric("sessions", "gauge", "Open sessions by kind.", [
            ("kind=\"delivery\"", Double(g.deliverySessions)), ("kind=\"fanout\"", Double(g.fanoutSessions)),
            ("kind=\"single_hop\"", Double(g.singleHopSessions)),
        ])
        metric("stored_messages", "gauge", "Stored messages: waiting to be sent, or sent and not yet acknowledged.", [
            ("state=\"pending\"", Double(g.pendingMessages)), ("state=\"in_flight\"", Double(g.inFlightMessages)),
            ("state=\"committing\"", Double(g.committing)),
        ])
        metric("stored_bytes", "gauge", "Payload bytes of the stored messages.", [
            ("state=\"pending\"", Double(g.pendingBytes)), ("state=\"in_flight\"", Double(g.inFlightBytes)),
        ])
        metric("forwards_in_flight", "gauge", "Sequences forwarded on single-hop sessions, not yet acknowledged by the next relay.", one(g.forwardsInFlight))
        let counters: [(String, String, Int)] = [
            ("deposits_total", "Stored copies of received message sequences.", c.deposits),
            ("deposit_bytes_total", "Payload bytes of the stored copies.", c.depositBytes),
            ("deliveries_total", "Stored messages sent to a device.", c.deliveries),
            ("acknowledged_total", "Delivered messages the device acknowledged (removed from the store).", c.acknowledged),
            ("forwarded_total", "Sequences forwarded to another relay.", c.forwarded),
            ("discarded_total", "Messages discarded by a TTL timer.", c.discarded),
            ("quota_refusals_total", "Sequences refused with QuotaWouldBeExceeded.", c.quotaRefusals),
            ("fanout_faults_total", "Fanout entries faulted (SessionStatus to the originator).", c.fanoutFaults),
            ("store_failures_total", "Commits that failed.", c.storeFailures),
            ("commit_batches_total", "Group commits of the store.", commits.batches),
            ("commit_writes_total", "Writes those commits held (the mean batch size is writes / batches).", commits.writes),
        ]
        for (name, help, value) in counters { metric(name, "counter", help, one(value)) }
        metric("commit_largest_batch", "gauge", "The most writes one commit held.", one(commits.largestBatch))
        metric("commit_seconds_total", "counter", "Time spent in commits (the mean latency is seconds / batches).", [("", commits.seconds)])
        return text
    }
}
