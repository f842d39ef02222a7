import NIOCore
import SSTPCore

/// Fuzz entry point for the spool files of `sstp listen --store spool`.
enum SSTPSpoolFuzz {
    /// The record reader of `winterop sstp spool` on arbitrary bytes: it must not trap,
    /// every record it reports must lie inside the input, one after another, and writing
    /// the records back (header, then the payload bytes at their offsets) must give the
    /// input exactly, up to the cut-short record when there is one.
    @Sendable static func records(_ bytes: [UInt8]) {
        let contents: SSTP.SpoolFile.Contents
        do {
            contents = try SSTP.SpoolFile.contents(of: bytes)
        } catch {
            return
        }
        var rebuilt = ByteBuffer(bytes: SSTP.SpoolFile.magic)
        for (number, record) in contents.records.enumerated() {
            precondition(record.index == number + 1, "records are numbered from 1 in order")
            precondition(record.offset == rebuilt.writerIndex + SSTP.SpoolFile.recordHeaderSize, "record \(record.index) does not follow the one before")
            precondition(record.size >= 0 && record.offset + record.size <= bytes.count, "record \(record.index) runs past the input")
            SSTP.SpoolFile.writeHeader(size: record.size, connection: record.connection, session: record.session, sequence: record.sequence, into: &rebuilt)
            rebuilt.writeBytes(bytes[record.offset..<record.offset + record.size])
        }
        let end = contents.truncatedAt ?? bytes.count
        precondition(rebuilt.writerIndex == end, "the records end at \(rebuilt.writerIndex), not at \(end)")
        precondition(rebuilt.readableBytesView.elementsEqual(bytes[..<end]), "the records written back differ from the input")
    }
}
