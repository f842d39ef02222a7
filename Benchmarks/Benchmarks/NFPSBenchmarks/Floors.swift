import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The physical floors an MS-NFPS transfer is compared with, measured in the same run:
/// OpenSSL's own speed for the work the stream must do (AES-128-CBC encryption, which
/// CBC makes serial, its decryption, SHA-256), and a plain loopback TCP copy of the
/// same file (read, send, receive, write).
struct Floors: Sendable, CustomStringConvertible {
    /// `openssl speed -evp aes-128-cbc -bytes 16384` (encryption), MB/s.
    var aesEncrypt: Double
    /// The same with `-decrypt`, MB/s.
    var aesDecrypt: Double
    /// `openssl speed -evp sha256 -bytes 16384`, MB/s.
    var sha256: Double
    /// A file copied over one loopback TCP connection by two threads, MB/s.
    var tcpCopy: Double
    /// The CPU seconds per GiB that copy took (both threads, user + system): the kernel's
    /// share of a transfer without any cryptography.
    var tcpCopyCPUPerGiB: Double
    var cores: Int
    /// Whether both sides compute the package's SHA-256 (off with `--no-sha256`).
    var digest: Bool

    /// The fastest a transfer could go if nothing but its cryptography cost anything:
    /// AES encryption on one core (CBC chains every block), and all the cryptography,
    /// encryption, decryption and (unless `--no-sha256`) SHA-256 on both sides, spread
    /// over every core (MB/s).
    var cryptographyBound: Double {
        let perByte = 1 / aesEncrypt + 1 / aesDecrypt + (digest ? 2 / sha256 : 0)
        return min(aesEncrypt, Double(cores) / perByte)
    }

    /// CPU seconds the sender's cryptography takes at OpenSSL's speed: encryption (and SHA-256).
    func senderCryptography(bytes: UInt64) -> Double { Double(bytes) / 1e6 * (1 / aesEncrypt + (digest ? 1 / sha256 : 0)) }
    /// The receiver's: decryption (and SHA-256).
    func receiverCryptography(bytes: UInt64) -> Double { Double(bytes) / 1e6 * (1 / aesDecrypt + (digest ? 1 / sha256 : 0)) }
    var senderWork: String { digest ? "encryption + SHA-256" : "encryption" }
    var receiverWork: String { digest ? "decryption + SHA-256" : "decryption" }

    /// The rate (MB/s) the measured CPU time allows on an idle machine with two cores:
    /// both processes' CPU seconds shared by the two cores, and never faster than the
    /// serial CBC encryption at OpenSSL's speed. Steady on a shared machine, where the
    /// wall-clock rate depends on the other builders.
    func idleTwoCoreRate(bytes: UInt64, senderCPU: Double, receiverCPU: Double) -> Double {
        let megabytes = Double(bytes) / 1e6
        return megabytes / max((senderCPU + receiverCPU) / 2, megabytes / aesEncrypt)
    }

    var description: String {
        "floors: openssl aes-128-cbc encrypt \(Int(aesEncrypt)) MB/s, decrypt \(Int(aesDecrypt)) MB/s, sha256 \(Int(sha256)) MB/s; "
            + "cryptography\(digest ? "" : " without SHA-256") on \(cores) cores at most \(Int(cryptographyBound)) MB/s; loopback TCP copy \(Int(tcpCopy)) MB/s "
            + "(\(String(format: "%.2f", tcpCopyCPUPerGiB)) CPU s per GiB)"
    }

    static func measure(file: String, scratch: String, digest: Bool) throws -> Floors {
        let before = processCPUSeconds()
        let tcpCopy = try LoopbackCopy.megabytesPerSecond(from: file, to: scratch)
        let bytes = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.doubleValue ?? 1
        let tcpCopyCPU = (processCPUSeconds() - before) * Double(1 << 30) / bytes
        return Floors(
            aesEncrypt: try openssl(["-evp", "aes-128-cbc"]),
            aesDecrypt: try openssl(["-decrypt", "-evp", "aes-128-cbc"]),
            sha256: try openssl(["-evp", "sha256"]),
            tcpCopy: tcpCopy, tcpCopyCPUPerGiB: tcpCopyCPU,
            cores: ProcessInfo.processInfo.activeProcessorCount,
            digest: digest
        )
    }

    /// This process's CPU time so far (user + system, every thread).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let seconds = { (time: timeval) in Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// `openssl speed ARGS -bytes 16384 -seconds 2`: the figure of its last line (kB/s) in MB/s.
    static func openssl(_ arguments: [String]) throws -> Double {
        let openssl = try Child(["openssl", "speed"] + arguments + ["-bytes", "16384", "-seconds", "2"])
        let text = openssl.readToEnd()
        guard openssl.wait().status == 0 else { throw BenchmarkFailure("openssl speed \(arguments.joined(separator: " ")) failed") }
        guard let last = text.split(separator: "\n").last?.split(separator: " ").last,
              let kilobytes = Double(last.hasSuffix("k") ? last.dropLast() : last)
        else {
            throw BenchmarkFailure("openssl speed \(arguments.joined(separator: " ")) gave no figure (is openssl installed?): \(text)")
        }
        return kilobytes / 1000
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The plain TCP floor: one thread reads the file and sends it in 1 MiB writes, another
/// receives into 1 MiB reads and writes the copy, over 127.0.0.1.
enum LoopbackCopy {
    static func megabytesPerSecond(from source: String, to destination: String) throws -> Double {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 1) == 0 && getsockname(listener, pointer, &length) == 0
            }
        }
        guard bound else { throw BenchmarkFailure("loopback copy: cannot listen on 127.0.0.1") }
        let start = DispatchTime.now().uptimeNanoseconds
        let finished = DispatchSemaphore(value: 0)
        Thread {
            defer { finished.signal() }
            let connection = accept(listener, nil, nil)
            let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 4096)
            while true {
                let count = recv(connection, buffer, 1 << 20, 0)
                if count <= 0 { break }
                var written = 0
                while written < count { written += max(0, write(output, buffer + written, count - written)) }
            }
            buffer.deallocate()
            close(output)
            close(connection)
        }.start()
        let connection = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(connection, $0, length) == 0 }
        }
        guard connected else { throw BenchmarkFailure("loopback copy: cannot connect") }
        let input = open(source, O_RDONLY)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 4096)
        var total = 0
        while true {
            let count = read(input, buffer, 1 << 20)
            if count <= 0 { break }
            var sent = 0
            while sent < count {
                let n = send(connection, buffer + sent, count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 { break }
                sent += n
            }
            total += count
        }
        buffer.deallocate()
        close(input)
        close(connection)
        finished.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        unlink(destination)
        return Double(total) / seconds / 1e6
    }
}
