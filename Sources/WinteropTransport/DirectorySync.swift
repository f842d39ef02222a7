#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A file created (or linked) in a directory survives a crash only once the directory
/// itself is synced: fsync(2) of the file makes its bytes durable, not its name. Every
/// store that acknowledges a message only after it is durable (the SSTP listener's files and
/// spool, `sstp receive`'s files) syncs the directory after adding the name.
public enum DirectorySync {
    /// Syncs `directory`; nil when done, otherwise what went wrong, as a sentence.
    public static func sync(_ directory: String) -> (message: String, code: Int32)? {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return ("cannot open \(directory) to sync it: \(String(cString: strerror(errno)))", errno) }
        defer { close(fd) }
        guard fsync(fd) != 0 else { return nil }
        return ("cannot sync \(directory): \(String(cString: strerror(errno)))", errno)
    }
}
