/// The peer made no progress for `--stall-timeout`: MS-NFPS sets no limit, and winterop
/// treats such a socket as one closed due to fault (3.3.7.3), on either side.
struct StallTimeout: Error, CustomStringConvertible {
    /// What the peer failed to do, e.g. "the share sender sent nothing".
    var what: String
    var limit: Duration

    var description: String {
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        let text = seconds == seconds.rounded() ? "\(Int(seconds))" : "\(seconds)"
        return "\(what) for \(text) s (--stall-timeout)"
    }
}
