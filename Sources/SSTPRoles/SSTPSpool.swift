import Foundation
import NIOCore
import SSTPCore
import WinteropTransport

/// The spool files of `sstp listen --store spool` and how to read them back
/// (`winterop sstp spool`). A spool file `spool-NNNNNNNN` (numbered on from the highest
/// in the output directory) has the layout of ``SSTP/SpoolFile``.
///
/// Records are appended and never changed. A record is acknowledged only after it is
/// wholly written (and fsync'd unless `--no-fsync`), so a record cut short at the end of a
/// file (the listener died while writing) was never acknowledged: the sender still has it.
public enum SSTPSpool {
    public static let prefix = "spool-"
    static var magic: [UInt8] { SSTP.SpoolFile.magic }
    static var recordHeaderSize: Int { SSTP.SpoolFile.recordHeaderSize }
    /// A spool file is closed and the next one started once it holds this many bytes.
    static let rollSize = 256 << 20
    /// Messages up to this size go to the spool; a larger one to its own `msg-` file.
    public static let messageLimit = 64 << 10

    public typealias Record = SSTP.SpoolFile.Record
    public typealias Contents = SSTP.SpoolFile.Contents

    static func name(_ number: Int) -> String {
        let digits = String(number)
        return prefix + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// One more than the highest spool number in `directory` (1 when there is none).
    static func firstFree(in directory: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return (names.lazy.filter { $0.hasPrefix(prefix) }.compactMap { Int($0.dropFirst(prefix.count)) }.max() ?? 0) + 1
    }

    static func writeHeader(size: Int, connection: Int, session: UInt32, sequence: UInt64, into buffer: inout ByteBuffer) {
        SSTP.SpoolFile.writeHeader(size: size, connection: connection, session: session, sequence: sequence, into: &buffer)
    }

    /// Reads the record headers of the spool file at `path` (payloads are skipped).
    /// Throws ``RoleFailure/usage(_:)`` for a file that is not a spool.
    public static func contents(of path: String) throws(RoleFailure) -> Contents {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .usage("cannot open \(path): \(String(cString: strerror(errno))); give a spool-NNNNNNNN file of sstp listen --store spool") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .usage("cannot read \(path): \(String(cString: strerror(errno)))") }
        do throws(SSTP.SpoolFile.ReadError) {
            return try SSTP.SpoolFile.contents(length: Int(info.st_size)) { offset, count in read(fd, at: offset, count: count) }
        } catch {
            switch error {
            case .notASpool:
                throw .usage("\(path) is not a spool file of sstp listen --store spool (it does not start with WTSPOOL1)")
            case .damaged(let offset):
                throw .usage("\(path): no record at offset \(offset) (the file is damaged or not a spool)")
            }
        }
    }

    /// The first `msg-NNNNNNNN` number free in `directory` (after the highest there).
    public static func firstMessageNumber(in directory: String) -> Int {
        MessageNames.firstFree(in: directory)
    }

    /// Copies `record`'s payload out of the spool at `path` into `directory` as
    /// `msg-NNNNNNNN`, numbered from `number` on (a name taken moves on: nothing is ever
    /// replaced); returns the new file's path and leaves `number` after it.
    public static func extract(_ record: Record, from path: String, into directory: String, number: inout Int) throws(RoleFailure) -> String {
        let source = open(path, O_RDONLY | O_CLOEXEC)
        guard source >= 0 else { throw .usage("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(source) }
        guard let payload = read(source, at: record.offset, count: record.size) else {
            throw .usage("cannot read record \(record.index) of \(path)")
        }
        for _ in 0..<MessageNames.attempts {
            let target = "\(directory)/\(MessageNames.name(number))"
            let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd < 0 {
                guard errno == EEXIST else { throw .usage("cannot create \(target): \(String(cString: strerror(errno))); choose a writable --extract directory") }
                number += 1
                continue
            }
            defer { close(fd) }
            number += 1
            var written = 0
            while written < payload.count {
                let n = payload.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + written, payload.count - written) }
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { throw .usage("cannot write \(target): \(String(cString: strerror(errno)))") }
                written += n
            }
            return target
        }
        throw .usage("cannot find a free message name in \(directory)")
    }

    /// `count` bytes at `offset`, or nil when the file ends before.
    private static func read(_ fd: Int32, at offset: Int, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            done += n
        }
        return bytes
    }
}
