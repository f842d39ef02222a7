#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// A package file read in large chunks, in constant memory (plain POSIX reads: the
/// page cache makes them cheap, and they run off the event loops).
struct PackageFileReader: ~Copyable {
    private let descriptor: Int32
    let path: String

    init(path: String) throws(PackageFileError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw PackageFileError("cannot open '\(path)': \(String(cString: strerror(errno)))") }
        self.descriptor = fd
        self.path = path
    }

    deinit { close(descriptor) }

    /// The file's size in bytes.
    func size() throws(PackageFileError) -> UInt64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw PackageFileError("cannot stat '\(path)': \(String(cString: strerror(errno)))") }
        return UInt64(info.st_size)
    }

    /// Fills `target` from the file (less only at its end); returns the count read.
    func read(into target: UnsafeMutableRawBufferPointer) throws(PackageFileError) -> Int {
        guard let base = target.baseAddress else { return 0 }
        var count = 0
        while count < target.count {
            let result = Glibc.read(descriptor, base + count, target.count - count)
            if result < 0 {
                if errno == EINTR { continue }
                throw PackageFileError("cannot read '\(path)': \(String(cString: strerror(errno)))")
            }
            if result == 0 { break }
            count += result
        }
        return count
    }
}

/// A package file written as bytes arrive; created exclusively, removed unless kept.
struct PackageFileWriter: ~Copyable {
    private let descriptor: Int32
    let path: String

    init(path: String) throws(PackageFileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw PackageFileError("cannot create '\(path)': \(String(cString: strerror(errno)))") }
        self.descriptor = fd
        self.path = path
    }

    deinit { close(descriptor) }

    func write(_ buffer: ByteBuffer) throws(PackageFileError) {
        var failure: Int32 = 0
        buffer.withUnsafeReadableBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(descriptor, base + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += n
            }
        }
        guard failure == 0 else { throw PackageFileError("cannot write '\(path)': \(String(cString: strerror(failure)))") }
    }
}

struct PackageFileError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
