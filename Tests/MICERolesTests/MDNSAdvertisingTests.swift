import Foundation
import WinteropTransport
import Testing
import WinteropTestSupport

/// `winterop mice sink` registers `<name>._display._tcp.local` (MS-MICE 3.1.3), checked
/// with python-zeroconf, an independent mDNS implementation, inside a network namespace
/// whose loopback has multicast on. Skipped, naming what is missing, where no such
/// namespace can be made or zeroconf is missing.
@Suite struct MDNSAdvertisingTests {
    static let script = #"""
        set -e
        ip link set lo up
        ip link set lo multicast on
        ip route add 224.0.0.0/4 dev lo 2>/dev/null || true
        out=$(mktemp)
        "$1" mice sink --listen 127.0.0.1:0 --json --pin off --encryption off --name "Test Sink" \
            --container-id 5F1C2A9E-3B7D-4C8E-9A6F-0D2E4B8C1A3F > "$out" 2>/dev/null &
        pid=$!
        for i in $(seq 1 100); do grep -q '"advertised"' "$out" 2>/dev/null && break; sleep 0.05; done
        "$2" - <<'PY'
        import json
        from zeroconf import IPVersion, Zeroconf
        zc = Zeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
        info = zc.get_service_info("_display._tcp.local.", "Test Sink._display._tcp.local.", timeout=3000)
        print("ZEROCONF " + json.dumps(None if info is None else {
            "port": info.port, "addresses": info.parsed_addresses(),
            "txt": {k.decode(): (v.decode() if v is not None else None) for k, v in info.properties.items()}}))
        zc.close()
        PY
        kill -INT $pid; wait $pid || true
        cat "$out"
        """#

    /// The source finds the sink by its bare host name (an IE without IP Address
    /// attributes) over mDNS: a fresh UTS namespace gives the sink a name no DNS knows.
    static let sourceScript = #"""
        set -e
        ip link set lo up
        ip link set lo multicast on
        ip route add 224.0.0.0/4 dev lo 2>/dev/null || true
        hostname micetestsink
        out=$(mktemp)
        "$1" mice sink --listen 127.0.0.1:0 --json --pin off --encryption off --name "Test Sink" \
            --container-id 5F1C2A9E-3B7D-4C8E-9A6F-0D2E4B8C1A3F > "$out" 2>/dev/null &
        pid=$!
        for i in $(seq 1 100); do grep -q '"advertised"' "$out" 2>/dev/null && break; sleep 0.05; done
        port=$(head -1 "$out" | sed 's/.*"port":\([0-9]*\).*/\1/')
        ie=$("$1" mice ie build --host-name micetestsink --encryption off)
        "$1" mice source --ie "$ie" --ie-port "$port" --pin off --rtsp-listen 127.0.0.1:0 --stop-after 0.1 --json || true
        kill -INT $pid; wait $pid || true
        """#

    /// The Python with zeroconf, after checking that `unshare` can make a network
    /// namespace with multicast on loopback; otherwise the test is skipped saying which.
    static func prerequisites() throws -> String {
        let python = try Prerequisites.zeroconf()
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else {
            try Prerequisites.skip("no /usr/bin/unshare: apt-get install util-linux")
        }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        probe.arguments = ["-rn", "sh", "-c", "ip link set lo multicast on"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { try Prerequisites.skip("cannot run /usr/bin/unshare") }
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else {
            try Prerequisites.skip("cannot make a network namespace with multicast on loopback (unshare -rn; needs user namespaces and iproute2)")
        }
        return python
    }

    @Test func sinkIsResolvedByAnIndependentResolver() throws {
        let python = try Self.prerequisites()
        let scriptURL = FileManager.default.temporaryDirectory.appendingPathComponent("mice-mdns-\(UUID().uuidString).sh")
        try Self.script.write(to: scriptURL, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: scriptURL) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["-rn", "sh", scriptURL.path, WinteropProcess.executable.path, python]
        let out = Pipe()
        closeOnExec(out)
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readBytesToEnd(), as: UTF8.self)
        process.waitUntilExit()
        let lines = text.split(separator: "\n").map(String.init)
        let listening = lines.first { $0.contains(#""event":"listening""#) }
        let port = listening.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }?["port"] as? Int
        guard let found = lines.first(where: { $0.hasPrefix("ZEROCONF ") }),
              let info = try JSONSerialization.jsonObject(with: Data(found.dropFirst(9).utf8)) as? [String: Any]
        else {
            Issue.record("zeroconf did not resolve the sink; output:\n\(text)")
            return
        }
        #expect(info["port"] as? Int == port)
        #expect((info["addresses"] as? [String])?.contains("127.0.0.1") == true)
        #expect((info["txt"] as? [String: String])?["container_id"] == "{5F1C2A9E-3B7D-4C8E-9A6F-0D2E4B8C1A3F}")
    }

    @Test func sourceResolvesTheSinkByMDNS() throws {
        let python = try Self.prerequisites()
        let scriptURL = FileManager.default.temporaryDirectory.appendingPathComponent("mice-mdns-source-\(UUID().uuidString).sh")
        try Self.sourceScript.write(to: scriptURL, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: scriptURL) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["-rnu", "sh", scriptURL.path, WinteropProcess.executable.path, python]
        let out = Pipe()
        closeOnExec(out)
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readBytesToEnd(), as: UTF8.self)
        process.waitUntilExit()
        #expect(text.contains(#""event":"resolved","host":"micetestsink","addresses":["127.0.0.1"]"#), "\(text)")
        #expect(text.contains(#""event":"rtsp_connected""#), "\(text)")
        #expect(text.contains(#""reason":"local_disconnect""#), "\(text)")
    }
}
