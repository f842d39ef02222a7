import Foundation
import Glibc
import Testing
import WinteropTestSupport

/// A throwaway PostgreSQL server for the tests: `initdb` into a temporary directory and
/// `pg_ctl start` on 127.0.0.1 (as the `postgres` user when the tests run as root, since
/// PostgreSQL refuses to run as root). `.ci/run` installs Debian's postgresql package.
struct LocalPostgres {
    let directory: URL
    let port: Int

    /// The directory of the server programs, if PostgreSQL is installed.
    static let binaries: URL? = {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: >) {
            let bin = URL(fileURLWithPath: "/usr/lib/postgresql/\(version)/bin")
            if FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("initdb").path) { return bin }
        }
        return nil
    }()

    static var available: Bool {
        binaries != nil && (getuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser"))
    }

    /// Runs a server program to its end (as `postgres` when root); its exit status.
    /// posix_spawn and waitpid, not Foundation's Process: `pg_ctl start` leaves the server
    /// running in the background, and Process.waitUntilExit then never returns.
    @discardableResult
    static func run(_ program: String, _ arguments: [String]) throws -> Int32 {
        guard let binaries else { return -1 }
        let path = binaries.appendingPathComponent(program).path
        let argv = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", path] + arguments : [path] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var pid = pid_t()
        guard posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }

    /// A new cluster, started; nil when it cannot be.
    static func start() throws -> LocalPostgres? {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("winterop-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if getuid() == 0 {
            let pw = getpwnam("postgres")
            guard let pw else { return nil }
            chown(directory.path, pw.pointee.pw_uid, pw.pointee.pw_gid)
        }
        let data = directory.appendingPathComponent("data").path
        guard try run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]) == 0 else { return nil }
        for _ in 0..<5 {
            let port = Int.random(in: 20_000...60_000)
            let options = "-p \(port) -c listen_addresses=127.0.0.1 -k \(directory.path) -c fsync=on"
            if try run("pg_ctl", ["-D", data, "-o", options, "-l", directory.appendingPathComponent("log").path, "-w", "-t", "30", "start"]) == 0 {
                return LocalPostgres(directory: directory, port: port)
            }
        }
        return nil
    }

    var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    func stop() {
        _ = try? Self.run("pg_ctl", ["-D", directory.appendingPathComponent("data").path, "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }
}

/// `sstp relay --store postgres://…`: the same durability as the SQLite store.
@Suite(.serialized, .enabled(if: LocalPostgres.available, "PostgreSQL's initdb (Debian package postgresql) is not installed"))
struct PostgresStoreTests {
    /// Deposits while the recipient is offline, SIGKILLs the relay, restarts it on the same
    /// database and receives every file byte-identical and in order.
    @Test func depositsInPostgreSQLSurviveSIGKILL() async throws {
        let server = try #require(try LocalPostgres.start(), "a PostgreSQL server could not be started")
        defer { server.stop() }
        let work = try RelayProcessTests.temporaryDirectory()
        let files = try RelayProcessTests.makeFiles(in: work, count: 4)
        let relay = { (port: Int) throws -> WinteropProcess in
            try WinteropProcess.winterop(["sstp", "relay", "--listen", "127.0.0.1:\(port)", "--relay-url", "dpp://relay",
                                          "--store", server.url, "--json"])
        }
        let first = try relay(0)
        let port = try #require(await first.listeningPort(service: "sstp-relay"), "the relay did not listen: \(first.stderr)")
        let sent = try RelayProcessTests.send(port, files: files)
        #expect(sent.status == 0, "sstp send failed: \(sent.stderr)")
        kill(first.process.processIdentifier, SIGKILL)
        _ = await first.waitForExit()

        let second = try relay(port)
        defer { second.terminate() }
        _ = try #require(await second.listeningPort(service: "sstp-relay"), "\(second.stderr)")
        #expect(second.event("store_opened")?["stored"] as? Int == files.count)
        let out = work.appendingPathComponent("inbox")
        let received = try RelayProcessTests.receive(port, out: out, count: files.count)
        #expect(received.status == 0, "\(received.stderr)")
        for (index, file) in files.enumerated() {
            #expect(try Data(contentsOf: out.appendingPathComponent("msg-0000000\(index + 1)")) == Data(contentsOf: file))
        }
    }

    @Test func anUnreachableDatabaseIsAClearUsageError() throws {
        let result = try WinteropProcess.run(["sstp", "relay", "--listen", "127.0.0.1:0", "--relay-url", "dpp://relay",
                                              "--store", "postgres://postgres:secret@127.0.0.1:1/none"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("PostgreSQL"), "\(result.stderr)")
        #expect(!result.stderr.contains("secret"))
    }
}
