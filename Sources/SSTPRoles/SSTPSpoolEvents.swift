import WinteropFormat
import WinteropTransport

/// What `winterop sstp spool` reports for each spool file it reads.
public enum SSTPSpoolEvent: RoleEvent {
    /// One message in the spool file at `path`; `extracted` is the file it was copied to.
    case record(path: String, SSTPSpool.Record, extracted: String?)
    /// The file ends inside a record begun at `offset`: the listener stopped while
    /// writing it, so it was never acknowledged.
    case truncated(path: String, offset: Int)

    public var name: String {
        switch self {
        case .record: "record"
        case .truncated: "truncated"
        }
    }

    public var fields: [(String, JSONValue)] {
        switch self {
        case .record(let path, let record, let extracted):
            return [("path", .string(path)), ("index", .int(Int64(record.index))), ("offset", .int(Int64(record.offset))),
                    ("size", .int(Int64(record.size))), ("connection", .int(Int64(record.connection))),
                    ("session", .integer(record.session)), ("sequence", .integer(record.sequence))]
                + (extracted.map { [("extracted", .string($0))] } ?? [])
        case .truncated(let path, let offset):
            return [("path", .string(path)), ("offset", .int(Int64(offset)))]
        }
    }

    public var text: String {
        switch self {
        case .record(let path, let record, let extracted):
            return "\(path) #\(record.index): \(record.size) bytes at offset \(record.offset) (connection \(record.connection), session \(record.session), sequence \(record.sequence))"
                + (extracted.map { " → \($0)" } ?? "")
        case .truncated(let path, let offset):
            return "\(path): a record cut short at offset \(offset) (never acknowledged; the sender still has it)"
        }
    }
}
