import Foundation
import NIOConcurrencyHelpers
import Testing

/// What a test needs from the machine (a Python module, a program, root), found once,
/// and the honest way to not run: ``skip(_:)`` marks the test skipped with the reason,
/// instead of passing after a `print`. `.ci/run` installs every prerequisite named here.
public enum Prerequisites {
    private static let cache = NIOLockedValueBox<[String: String?]>([:])

    /// The first Python interpreter that runs `check` (a statement such as
    /// `import zeroconf`): `python3` on PATH first (where `.ci/run` pip-installs the
    /// pinned versions when that Python accepts pip), then Debian's `/usr/bin/python3`
    /// (where `python3-openssl` and `python3-zeroconf` install).
    public static func python(running check: String) -> String? {
        if let known = cache.withLockedValue({ $0[check] }) { return known }
        var candidates = executable("python3").map { [$0] } ?? []
        if !candidates.contains("/usr/bin/python3") { candidates.append("/usr/bin/python3") }
        let found = candidates.first { path in
            guard FileManager.default.isExecutableFile(atPath: path) else { return false }
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: path)
            probe.arguments = ["-c", check]
            probe.standardOutput = FileHandle.nullDevice
            probe.standardError = FileHandle.nullDevice
            guard (try? probe.run()) != nil else { return false }
            probe.waitUntilExit()
            return probe.terminationStatus == 0
        }
        cache.withLockedValue { $0[check] = .some(found) }
        return found
    }

    /// `name` on PATH (or in /usr/sbin and /sbin), or nil.
    public static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Ends the running test as skipped, naming exactly what is missing and how to get it.
    public static func skip(_ reason: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Never {
        try Test.cancel(Comment(rawValue: "skipped: \(reason)"), sourceLocation: sourceLocation)
    }

    /// The Python with pyOpenSSL's DTLS, or a skip naming the Debian package.
    public static func pyOpenSSL() throws -> String {
        guard let python = python(running: "from OpenSSL import SSL; SSL.DTLS_METHOD; import cryptography") else {
            try skip("no python3 with pyOpenSSL (DTLS) and cryptography: apt-get install python3-openssl")
        }
        return python
    }

    /// The Python with python-zeroconf, or a skip naming the Debian package.
    public static func zeroconf() throws -> String {
        guard let python = python(running: "import zeroconf") else {
            try skip("no python3 with python-zeroconf: apt-get install python3-zeroconf")
        }
        return python
    }

    /// The Python with python-zeroconf 0.100 or later, whose conflict handling (RFC 6762
    /// 8.1, 9) the conflict tests compare against; Debian 12's 0.47 does not probe the same way.
    public static func zeroconfWithConflictHandling() throws -> String {
        let check = "import sys, zeroconf; sys.exit(0 if tuple(int(p) for p in zeroconf.__version__.split('.')[:2]) >= (0, 100) else 1)"
        guard let python = python(running: check) else {
            try skip("no python3 with python-zeroconf 0.100 or later (Debian 12 ships 0.47): python3 -m pip install zeroconf==0.154.0")
        }
        return python
    }

    /// `dig` (BIND), or a skip naming the Debian package.
    public static func dig() throws -> String {
        guard let dig = executable("dig") else { try skip("dig is not installed: apt-get install bind9-dnsutils") }
        return dig
    }
}
