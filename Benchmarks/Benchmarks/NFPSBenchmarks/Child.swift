import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process whose standard output is read through a pipe (standard error goes to
/// /dev/null). Spawned with an empty signal mask and default handlers: this process's
/// threads block signals, and `openssl speed` ends each test on SIGALRM, so with the
/// inherited mask it would never stop (Foundation's `Process` passes the mask on).
final class Child {
    let pid: pid_t
    private let output: Int32
    private var pending: [UInt8] = []

    init(_ arguments: [String]) throws {
        var pipe: [Int32] = [0, 0]
        guard Glibc.pipe(&pipe) == 0 else { throw BenchmarkFailure("pipe: \(String(cString: strerror(errno)))") }
        // Neither end leaks into the next child (dup2 onto its standard output clears the flag there).
        for end in pipe { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let spawned = posix_spawnp(&child, arguments[0], &actions, &attributes, argv, environ)
        close(pipe[1])
        guard spawned == 0 else {
            close(pipe[0])
            throw BenchmarkFailure("cannot run \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        pid = child
        output = pipe[0]
    }

    deinit { close(output) }

    /// The next line of standard output, nil at its end.
    func readLine() -> String? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = read(output, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                defer { pending.removeAll() }
                return pending.isEmpty ? nil : String(decoding: pending, as: UTF8.self)
            }
            pending += buffer[0..<count]
        }
    }

    /// The rest of standard output.
    func readToEnd() -> String {
        var lines: [String] = []
        while let line = readLine() { lines.append(line) }
        return lines.joined(separator: "\n")
    }

    /// Waits for the exit: the wait status, the peak resident memory (KiB) and the CPU
    /// time used (user + system, seconds).
    func wait() -> (status: Int32, peakKiB: Int, cpuSeconds: Double) {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0, errno == EINTR {}
        let seconds = { (time: timeval) in Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return (status, usage.ru_maxrss, seconds(usage.ru_utime) + seconds(usage.ru_stime))
    }
}
