import NIOCore

extension SSTP {
    /// The layout of winterop's spool files (`sstp listen --store spool`; not part of
    /// MS-GRVSSTP, which leaves storage to the resource handler), as bytes in and out, with
    /// no file access: the listener appends with ``writeHeader(size:connection:session:sequence:into:)``,
    /// `winterop sstp spool` reads back with ``contents(length:read:)``.
    ///
    /// A spool file is the 8 bytes `WTSPOOL1`, then one record per message:
    ///
    ///     "SMSG"      4 bytes
    ///     size        UInt64, big-endian: payload bytes
    ///     connection  UInt32, big-endian: the listener's connection number
    ///     session     UInt32, big-endian: the SessionId
    ///     sequence    UInt64, big-endian: the message's sequence number (3.1.1.4)
    ///     payload     `size` bytes
    public enum SpoolFile {
        public static let magic: [UInt8] = Array("WTSPOOL1".utf8)
        public static let recordMagic: [UInt8] = Array("SMSG".utf8)
        public static let recordHeaderSize = 28

        /// One message in a spool file.
        public struct Record: Sendable, Equatable {
            /// 1 for the file's first record.
            public var index: Int
            /// Where the payload starts in the file.
            public var offset: Int
            public var size: Int
            public var connection: Int
            public var session: UInt32
            public var sequence: UInt64

            public init(index: Int, offset: Int, size: Int, connection: Int, session: UInt32, sequence: UInt64) {
                self.index = index
                self.offset = offset
                self.size = size
                self.connection = connection
                self.session = session
                self.sequence = sequence
            }
        }

        /// What a spool file holds: its records, and where a cut-short record begins, if any
        /// (the listener died while writing it: it was never acknowledged).
        public struct Contents: Sendable, Equatable {
            public var records: [Record]
            public var truncatedAt: Int?
        }

        /// Why bytes are not a spool file.
        public enum ReadError: Error, Equatable {
            /// The file does not start with `WTSPOOL1`.
            case notASpool
            /// No record header (`SMSG`) at this offset.
            case damaged(offset: Int)
        }

        public static func writeHeader(size: Int, connection: Int, session: UInt32, sequence: UInt64, into buffer: inout ByteBuffer) {
            buffer.writeBytes(recordMagic)
            buffer.writeInteger(UInt64(size))
            buffer.writeInteger(UInt32(truncatingIfNeeded: connection))
            buffer.writeInteger(session)
            buffer.writeInteger(sequence)
        }

        /// Reads the record headers of a spool of `length` bytes, fetching `count` bytes at
        /// `offset` through `read` (nil when they cannot be read); payloads are skipped,
        /// never read. A record that runs past `length` is the cut-short end.
        public static func contents(length: Int, read: (_ offset: Int, _ count: Int) -> [UInt8]?) throws(ReadError) -> Contents {
            guard length >= magic.count, let head = read(0, magic.count), head == magic else { throw .notASpool }
            var records: [Record] = []
            var offset = magic.count
            while offset < length {
                guard length - offset >= recordHeaderSize, let bytes = read(offset, recordHeaderSize), bytes.count == recordHeaderSize else {
                    return Contents(records: records, truncatedAt: offset)
                }
                var header = ByteBuffer(bytes: bytes)
                guard header.readBytes(length: recordMagic.count) == recordMagic,
                      let size = header.readInteger(as: UInt64.self), let connection = header.readInteger(as: UInt32.self),
                      let session = header.readInteger(as: UInt32.self), let sequence = header.readInteger(as: UInt64.self)
                else {
                    throw .damaged(offset: offset)
                }
                let payload = offset + recordHeaderSize
                guard size <= UInt64(length - payload) else { return Contents(records: records, truncatedAt: offset) }
                records.append(Record(index: records.count + 1, offset: payload, size: Int(size), connection: Int(connection), session: session, sequence: sequence))
                offset = payload + Int(size)
            }
            return Contents(records: records, truncatedAt: nil)
        }

        /// ``contents(length:read:)`` of a spool held in memory.
        public static func contents(of bytes: [UInt8]) throws(ReadError) -> Contents {
            try contents(length: bytes.count) { offset, count in
                offset >= 0 && count >= 0 && offset <= bytes.count - count ? Array(bytes[offset..<offset + count]) : nil
            }
        }
    }
}
